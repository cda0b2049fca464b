using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EtcdMaintenance;
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
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The terminal: colours and live displays on a TTY, plain wide text when redirected (pipes, CI logs).</summary>
    public static readonly IAnsiConsole Terminal = CreateTerminal();

    public static bool IsJson(ParseResult parse) => parse.GetValue(GlobalOptions.Output) == OutputFormat.Json;

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>Runs a command body: exit code 1 and a one-line reason for any expected failure.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception ex) when (ex is EtcdException or EtcdMaintenance.Manifests.ManifestException or EtcdMaintenance.Hosting.EtcdHostException or OptionsValidationException or FormatException or ArgumentException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            var message = ex is OptionsValidationException options ? string.Join(" ", options.Failures) : ex.Message;
            Console.Error.WriteLine($"etcd-doctor: {message.ReplaceLineEndings(" ")}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("etcd-doctor: cancelled.");
            return 130;
        }
    }

    private static IAnsiConsole CreateTerminal()
    {
        var redirected = System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = 240;
        }

        return console;
    }

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

    /// <summary>Bytes in IEC units, e.g. 16.0 MiB.</summary>
    public static string Bytes(long? bytes)
    {
        if (bytes is not { } value)
        {
            return "-";
        }

        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double scaled = value;
        var unit = 0;
        while (Math.Abs(scaled) >= 1024 && unit < units.Length - 1)
        {
            scaled /= 1024;
            unit++;
        }

        return unit == 0 ? $"{value} B" : string.Create(CultureInfo.InvariantCulture, $"{scaled:0.0} {units[unit]}");
    }

    public static string Percent(double? ratio) => ratio is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r:P0}") : "-";

    /// <summary>The cluster's status as a table, one row per endpoint; failed endpoints are listed under it with their errors.</summary>
    public static void WriteStatus(ClusterStatus status)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in new[] { "ENDPOINT", "ID", "VERSION", "DB SIZE", "IN USE", "FRAG", "QUOTA", "LEADER", "LEARNER", "TERM", "INDEX", "APPLIED", "ERRORS" })
        {
            table.AddColumn(column);
        }

        foreach (var entry in status.Endpoints)
        {
            if (entry.Status is { } s)
            {
                table.AddRow(Markup.Escape(entry.Endpoint.Text), s.MemberId.ToString(), s.Version, Bytes(s.DbSize), Bytes(s.DbSizeInUse), Percent(s.FragmentationRatio),
                    Percent(s.QuotaUsage), s.IsLeader ? "[green]yes[/]" : "no", s.IsLearner ? "yes" : "no", s.RaftTerm.ToString(CultureInfo.InvariantCulture),
                    s.RaftIndex.ToString(CultureInfo.InvariantCulture), s.RaftAppliedIndex.ToString(CultureInfo.InvariantCulture), Markup.Escape(string.Join("; ", s.Errors)));
            }
            else
            {
                table.AddRow(Markup.Escape(entry.Endpoint.Text), "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "[red]unreachable[/]");
            }
        }

        Terminal.Write(table);
        foreach (var entry in status.Unreachable)
        {
            Terminal.MarkupLine($"[red]{Markup.Escape(entry.Endpoint.Text)}[/]: {Markup.Escape(entry.Error?.Message ?? "no answer")}");
        }
    }

    /// <summary>The JSON shape of a cluster status: one entry per endpoint with its status or its error.</summary>
    public static object StatusJson(ClusterStatus status) => status.Endpoints.Select(e => new
    {
        Endpoint = e.Endpoint.Text,
        e.Status,
        Error = e.Error?.Message,
    });
}
