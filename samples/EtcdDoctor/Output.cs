using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EtcdMaintenance;
using EtcdMaintenance.Manifests;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace EtcdDoctor;

/// <summary>Writes results as a table or as JSON, and turns failures into one line on stderr and a non-zero exit.</summary>
internal static class Output
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(), new MemberIdNumberConverter(), new GoDurationConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { AddHexIds } },
    };

    /// <summary>The terminal: colours (unless NO_COLOR) and live displays on a TTY; plain 80-column text when redirected (pipes, CI logs), 240 with -w wide.</summary>
    public static readonly IAnsiConsole Terminal = CreateTerminal();

    public static bool IsJson(ParseResult parse) => parse.GetValue(GlobalOptions.Output) == OutputFormat.Json;

    /// <summary>
    /// Beside every member-ID property of the library's own results (which etcd-doctor prints as they are), its hex string:
    /// <c>id</c> and <c>idHex</c>, as in etcd-doctor's own shapes.
    /// </summary>
    private static void AddHexIds(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        var names = info.Properties.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var property in info.Properties.ToList())
        {
            if ((property.PropertyType != typeof(MemberId) && property.PropertyType != typeof(MemberId?)) || property.Get is not { } get || !names.Add(property.Name + "Hex"))
            {
                continue;
            }

            var hex = info.CreateJsonPropertyInfo(typeof(string), property.Name + "Hex");
            hex.Get = owner => get(owner) is MemberId { IsNone: false } id ? id.ToString() : null;
            info.Properties.Add(hex);
        }
    }

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>
    /// The one error handler (Program.cs calls it for whatever a command throws): writes <c>etcd-doctor: MESSAGE</c> on
    /// stderr (the endpoint or file, the operation and etcd's own message, on one line, never a stack trace), with the
    /// etcd-doctor command to go on where the library's advice names its API, and returns the exit code: 130 cancelled,
    /// 2 refused by a safety check, 1 anything else.
    /// </summary>
    public static int Fail(Exception exception)
    {
        if (exception is OperationCanceledException)
        {
            Console.Error.WriteLine("etcd-doctor: cancelled.");
            return ExitCodes.Cancelled;
        }

        Console.Error.WriteLine($"etcd-doctor: {Describe(exception)}");
        if (exception is EtcdMaintenance.Operations.MemberReplacementException replacement)
        {
            Console.Error.WriteLine($"etcd-doctor: to continue once the cause is fixed: etcd-doctor replace-member --resume {replacement.JournalPath}");
        }

        return exception switch
        {
            EtcdException { ErrorCode: EtcdErrorCode.SafetyCheckRefused or EtcdErrorCode.UnhealthyCluster } => ExitCodes.Refused,
            ManifestException { ErrorCode: ManifestErrorCode.QuotaBelowDatabaseSize or ManifestErrorCode.QuotaAboveSuggestedMaximum or ManifestErrorCode.QuotaBelowMinimum or ManifestErrorCode.UnknownFlag or ManifestErrorCode.InvalidFlagValue or ManifestErrorCode.ChangedOnDisk or ManifestErrorCode.BackupDirectoryNotAllowed } => ExitCodes.Refused,
            _ => ExitCodes.Failed,
        };
    }

    /// <summary>The exception's message on one line, followed by the causes it does not already mention.</summary>
    internal static string Describe(Exception exception)
    {
        var message = exception is OptionsValidationException options ? string.Join(" ", options.Failures) : exception.Message;
        if (exception is not (EtcdException or ManifestException or EtcdMaintenance.Hosting.EtcdHostException or FormatException or OptionsValidationException or EtcdMaintenance.Parsing.EtcdctlParseException or IOException or UnauthorizedAccessException))
        {
            // Not one of ours: say what it is, so that a bug report has something to go on.
            message = $"{exception.GetType().Name}: {message}";
        }

        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!message.Contains(inner.Message, StringComparison.Ordinal))
            {
                message = $"{message.TrimEnd()} ({inner.Message.TrimEnd('.')})";
            }
        }

        return message.ReplaceLineEndings(" ");
    }

    /// <summary>Whether colours and other ANSI sequences may be written: never when NO_COLOR is set (https://no-color.org).</summary>
    public static bool NoColor => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>
    /// The width of tables written to a file or a pipe: 80 columns, or 240 (every column unwrapped) with <c>-w wide</c>.
    /// On a terminal, the terminal's width.
    /// </summary>
    public static int RedirectedWidth(bool wide) => wide ? 240 : 80;

    /// <summary>Sets the terminal's width for <c>-w wide</c> when output is redirected (call once the command line is parsed).</summary>
    public static void Configure(ParseResult parse)
    {
        if (Console.IsOutputRedirected)
        {
            Terminal.Profile.Width = RedirectedWidth(IsWide(parse));
        }
    }

    /// <summary>A console on <paramref name="writer"/>: ANSI only on a terminal without NO_COLOR; plain text, 80 columns wide, otherwise.</summary>
    public static IAnsiConsole CreateConsole(TextWriter writer, bool isTerminal, bool wide = false)
    {
        var plain = !isTerminal || NoColor;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!isTerminal)
        {
            console.Profile.Width = RedirectedWidth(wide);
        }

        return console;
    }

    private static IAnsiConsole CreateTerminal() => CreateConsole(Console.Out, !Console.IsOutputRedirected);

    /// <summary>
    /// A progress display that prints one line per event on stderr (so that <c>-o json</c> output on stdout stays clean):
    /// <c>[  3.2s] defragmenting n1 (16.0 MiB)</c>.
    /// </summary>
    public static IProgress<T> Progress<T>(Func<T, (TimeSpan Elapsed, string Message)> describe) => new LineProgress<T>(describe);

    private sealed class LineProgress<T>(Func<T, (TimeSpan Elapsed, string Message)> describe) : IProgress<T>
    {
        public void Report(T value)
        {
            var (elapsed, message) = describe(value);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{elapsed.TotalSeconds,6:0.0}s] {message}"));
        }
    }

    /// <summary>Bytes in IEC units, e.g. 16 MiB or 1.5 GiB.</summary>
    public static string Bytes(long? bytes) => bytes is { } value ? ByteSize.Format(value) : "-";

    public static string Percent(double? ratio) => ratio is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r:P0}") : "-";

    /// <summary>Whether <c>-w wide</c> asked for every column.</summary>
    public static bool IsWide(ParseResult parse) => parse.GetValue(GlobalOptions.Output) == OutputFormat.Wide;

    /// <summary>
    /// The cluster's status as a table, one row per endpoint; failed endpoints are listed under it with their errors.
    /// The default columns fit 80 columns; <paramref name="wide"/> shows every column.
    /// </summary>
    public static void WriteStatus(ClusterStatus status, bool wide = false)
    {
        var table = new Table().Border(wide ? TableBorder.Rounded : TableBorder.None);
        var columns = wide
            ? new[] { "ENDPOINT", "ID", "VERSION", "DB SIZE", "IN USE", "FRAG", "QUOTA", "LEADER", "LEARNER", "TERM", "INDEX", "APPLIED", "ERRORS" }
            : ["ENDPOINT", "ID", "LEADER", "DB SIZE", "FRAG", "QUOTA"];
        foreach (var column in columns)
        {
            table.AddColumn(column);
        }

        foreach (var entry in status.Endpoints)
        {
            if (entry.Status is not { } s)
            {
                table.AddRow([Markup.Escape(entry.Endpoint.Text), .. Enumerable.Repeat("-", columns.Length - 2), "[red]unreachable[/]"]);
                continue;
            }

            var leader = s.IsLeader ? "[green]yes[/]" : s.IsLearner ? "learner" : "no";
            table.AddRow(wide
                ? [Markup.Escape(entry.Endpoint.Text), s.MemberId.ToString(), s.Version, Bytes(s.DbSize), Bytes(s.DbSizeInUse), Percent(s.FragmentationRatio),
                    Percent(s.QuotaUsage), s.IsLeader ? "[green]yes[/]" : "no", s.IsLearner ? "yes" : "no", s.RaftTerm.ToString(CultureInfo.InvariantCulture),
                    s.RaftIndex.ToString(CultureInfo.InvariantCulture), s.RaftAppliedIndex.ToString(CultureInfo.InvariantCulture), Markup.Escape(string.Join("; ", s.Errors))]
                : [Markup.Escape(entry.Endpoint.Text), s.MemberId.ToString(), leader, Bytes(s.DbSize), Percent(s.FragmentationRatio), Percent(s.QuotaUsage)]);
        }

        Terminal.Write(table);
        foreach (var entry in status.Reachable.Where(s => s.Errors.Count > 0 && !wide))
        {
            Terminal.MarkupLine($"[yellow]{Markup.Escape(entry.Endpoint)}[/]: {Markup.Escape(string.Join("; ", entry.Errors))}");
        }

        foreach (var entry in status.Unreachable)
        {
            Terminal.MarkupLine($"[red]{Markup.Escape(entry.Endpoint.Text)}[/]: {Markup.Escape(entry.Error is { } error ? Describe(error) : "no answer")}");
        }
    }

    /// <summary>Member IDs as JSON numbers, as etcdctl's <c>-w json</c> prints them (shapes that show IDs add a hex string beside).</summary>
    private sealed class MemberIdNumberConverter : JsonConverter<MemberId>
    {
        public override MemberId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetUInt64());

        public override void Write(Utf8JsonWriter writer, MemberId value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
    }

    /// <summary>Durations as Go writes them (<c>1m30s</c>), never <c>00:01:30</c>.</summary>
    private sealed class GoDurationConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => GoDuration.Parse(reader.GetString()!);

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) => writer.WriteStringValue(GoDuration.Format(value));
    }
}
