using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace EtcdDoctor;

/// <summary>
/// Every <c>--help</c> ends with its command's example: each description's "Example: ..." paragraph is taken out of the
/// description (so that command lists stay short) and printed after the options.
/// </summary>
internal static class HelpExamples
{
    private const string Marker = "Example: ";

    public static void Install(RootCommand root)
    {
        var examples = new Dictionary<Command, string>();
        Collect(root, examples);
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExample((SynchronousCommandLineAction)help.Action!, examples);
    }

    private static void Collect(Command command, Dictionary<Command, string> examples)
    {
        var description = command.Description ?? string.Empty;
        var at = description.IndexOf("\n" + Marker, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new InvalidOperationException($"The help of '{command.Name}' has no example: end its description with \"Example: etcd-doctor ...\".");
        }

        examples[command] = description[(at + 1 + Marker.Length)..].Trim();
        command.Description = description[..at].TrimEnd();
        foreach (var subcommand in command.Subcommands)
        {
            Collect(subcommand, examples);
        }
    }

    private sealed class HelpWithExample(SynchronousCommandLineAction help, IReadOnlyDictionary<Command, string> examples) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var exitCode = help.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Example:");
            foreach (var line in examples[parseResult.CommandResult.Command].Split('\n'))
            {
                output.WriteLine($"  {line.TrimEnd()}");
            }

            output.WriteLine();
            return exitCode;
        }
    }
}
