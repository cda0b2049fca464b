using System.Text.Json;

namespace EtcdMaintenance.Operations;

/// <summary>
/// Where a long-running operation stands: its plan, the steps done, and when. JSON-serializable; the operations write it
/// (owner-only) after every step when given a checkpoint path, and resume from it.
/// </summary>
public sealed record OperationCheckpoint
{
    /// <summary>The checkpoint format this library writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The checkpoint format.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The operation's ID.</summary>
    public required string OperationId { get; init; }

    /// <summary>The kind of operation (<c>SpaceRecovery</c>, <c>QuotaRaise</c>, <c>MemberReplacement</c>).</summary>
    public required string Kind { get; init; }

    /// <summary>The plan the operation runs, as the operation serialized it (a resume re-creates the steps from it).</summary>
    public JsonElement? Plan { get; init; }

    /// <summary>The steps of the plan, in order, with their etcdctl or shell equivalents.</summary>
    public IReadOnlyList<OperationStep> Steps { get; init; } = [];

    /// <summary>The stable names of the steps, in order (as <see cref="CompletedSteps"/> lists them).</summary>
    public IReadOnlyList<string> StepNames { get; init; } = [];

    /// <summary>The names of the steps done, in order.</summary>
    public IReadOnlyList<string> CompletedSteps { get; init; } = [];

    /// <summary>When the operation started.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the checkpoint was last recorded.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Why the last run stopped, when it failed: the step, and what was done before it.</summary>
    public string? LastError { get; init; }

    /// <summary>Whether every step is done.</summary>
    public bool IsCompleted => StepNames.Count > 0 && StepNames.All(CompletedSteps.Contains);

    /// <summary>Reads a checkpoint a run saved.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, or of an unknown version.</exception>
    public static async Task<OperationCheckpoint> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            OperationCheckpoint? checkpoint;
            try
            {
                checkpoint = await JsonSerializer.DeserializeAsync(stream, OperationJsonContext.Default.OperationCheckpoint, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path} is not an operation checkpoint: {ex.Message}", ex);
            }

            return checkpoint is { Version: CurrentVersion }
                ? checkpoint
                : throw new InvalidDataException($"{path} is not an operation checkpoint of version {CurrentVersion} (found {checkpoint?.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}).");
        }
    }

    /// <summary>Writes the checkpoint owner-only (0600), replacing the file atomically.</summary>
    internal async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(temp, options);
        await using (stream.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(stream, this, OperationJsonContext.Default.OperationCheckpoint, cancellationToken).ConfigureAwait(false);
        }

        File.Move(temp, path, overwrite: true);
    }
}
