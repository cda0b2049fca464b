using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Operations;

/// <summary>
/// Reads and writes member-replacement journals: one JSON file per operation, owner-only, replaced atomically (a temporary
/// file in the same directory, flushed to disk, renamed over the journal, the directory flushed too).
/// </summary>
internal static class MemberReplacementJournal
{
    public const string FilePrefix = "member-replacement-";

    /// <summary>A new journal path in <paramref name="directory"/> for an operation.</summary>
    public static string PathFor(string directory, string operationId) => Path.Combine(Path.GetFullPath(directory), FilePrefix + operationId + ".json");

    /// <summary>A new operation ID: the member name, a UTC timestamp and a random suffix.</summary>
    public static string NewOperationId(string memberName, TimeProvider timeProvider)
    {
        var safe = new string([.. memberName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);
        return $"{safe}-{timeProvider.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
    }

    /// <summary>Serializes a checkpoint as the journal's text.</summary>
    public static byte[] Serialize(MemberReplacementCheckpoint checkpoint) =>
        JsonSerializer.SerializeToUtf8Bytes(checkpoint, MemberReplacementJsonContext.Default.MemberReplacementCheckpoint);

    /// <summary>Parses a journal's text; refuses other format versions with a message that says so.</summary>
    /// <exception cref="InvalidDataException">The text is not a journal of a version this library reads.</exception>
    public static MemberReplacementCheckpoint Deserialize(ReadOnlySpan<byte> json, string source)
    {
        int version;
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            version = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("version", out var v) && v.TryGetInt32(out var n) ? n : 0;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source} is not a member-replacement journal (not JSON: {ex.Message}).", ex);
        }

        if (version != MemberReplacementCheckpoint.CurrentVersion)
        {
            throw new InvalidDataException(version == 0
                ? $"{source} is not a member-replacement journal (it has no version)."
                : $"{source} is a version {version} journal; this library reads version {MemberReplacementCheckpoint.CurrentVersion} only. Resume it with the version of the library that wrote it.");
        }

        try
        {
            return JsonSerializer.Deserialize(json, MemberReplacementJsonContext.Default.MemberReplacementCheckpoint)
                ?? throw new InvalidDataException($"{source} is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source} is not a valid member-replacement journal: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a journal file.</summary>
    /// <exception cref="InvalidDataException">It is not a journal this library reads.</exception>
    /// <exception cref="IOException">It cannot be read.</exception>
    public static async Task<MemberReplacementCheckpoint> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return Deserialize(bytes, path);
    }

    /// <summary>
    /// Writes the journal atomically with owner-only permissions: a hidden temporary file in the same directory, flushed to
    /// disk, renamed over the journal; then the directory is flushed so that the rename survives a power loss.
    /// </summary>
    public static async Task WriteAsync(string path, MemberReplacementCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        EnsureDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
        var bytes = Serialize(checkpoint);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            var stream = new FileStream(temp, options);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The creation mode is subject to the umask; make sure whatever it was.
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        if (OperatingSystem.IsLinux())
        {
            NativeMethods.FsyncDirectory(directory);
        }
    }

    /// <summary>Creates a directory for journals or snapshots with owner-only permissions (an existing one is left as it is).</summary>
    public static void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// The journals in <paramref name="directory"/> of operations on cluster <paramref name="clusterId"/> that have not
    /// completed, with the paths; a file that cannot be read is returned as an error (it may be an open operation).
    /// </summary>
    public static async Task<IReadOnlyList<(string Path, MemberReplacementCheckpoint? Checkpoint, string? Error)>> FindOpenAsync(
        string directory, ulong clusterId, CancellationToken cancellationToken)
    {
        var result = new List<(string, MemberReplacementCheckpoint?, string?)>();
        if (!Directory.Exists(directory))
        {
            return result;
        }

        foreach (var path in Directory.EnumerateFiles(directory, FilePrefix + "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                var checkpoint = await ReadAsync(path, cancellationToken).ConfigureAwait(false);
                if (checkpoint.ClusterId == clusterId && !checkpoint.IsCompleted)
                {
                    result.Add((path, checkpoint, null));
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                result.Add((path, null, ex.Message));
            }
        }

        return result;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Writes a 64-bit ID as a lower-case hex string (as etcdctl prints cluster IDs); reads hex strings and JSON numbers.</summary>
internal sealed class HexUInt64JsonConverter : JsonConverter<ulong>
{
    public override ulong Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 and <= 16 } text
            && ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new JsonException("Expected a cluster ID as a hex string (such as 5c72ca3e1c6b0e4d) or an unsigned number.");
    }

    public override void Write(Utf8JsonWriter writer, ulong value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("x", CultureInfo.InvariantCulture));
}

/// <summary>The journal's JSON shape, generated at compile time (trimming- and AOT-safe).</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(MemberReplacementCheckpoint))]
internal sealed partial class MemberReplacementJsonContext : JsonSerializerContext;
