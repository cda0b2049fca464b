namespace EtcdMaintenance.Hosting;

/// <summary>POSIX shell quoting for the commands run on a node.</summary>
internal static class ShellQuote
{
    /// <summary>One shell word holding exactly <paramref name="value"/>: single quotes, each <c>'</c> written as <c>'\''</c>.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
