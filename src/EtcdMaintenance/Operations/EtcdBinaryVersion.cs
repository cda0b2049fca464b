using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace EtcdMaintenance.Operations;

/// <summary>Versions of etcd binaries (<c>etcd --version</c>) and servers (<c>StatusResponse.version</c>).</summary>
internal static class EtcdBinaryVersion
{
    /// <summary>Runs <c>etcd --version</c> and reads its <c>etcd Version: 3.5.30</c> line.</summary>
    /// <exception cref="InvalidOperationException">The binary does not run or prints no version.</exception>
    public static async Task<Version> ReadAsync(string etcdPath, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(etcdPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--version");
        string output;
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"'{etcdPath} --version' did not start.");
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            output = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await stderr.ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"'{etcdPath} --version' could not run: {ex.Message}", ex);
        }

        foreach (var line in output.Split('\n'))
        {
            const string Prefix = "etcd Version:";
            if (line.StartsWith(Prefix, StringComparison.Ordinal) && TryParse(line[Prefix.Length..], out var version))
            {
                return version;
            }
        }

        throw new InvalidOperationException($"'{etcdPath} --version' printed no 'etcd Version: X.Y.Z' line: {output.Trim()}");
    }

    /// <summary>Parses <c>3.5.30</c> (a pre-release suffix such as <c>-rc.1</c> is ignored) into major.minor.patch.</summary>
    public static bool TryParse(string? text, out Version version)
    {
        version = new Version(0, 0);
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var core = text.Trim().TrimStart('v');
        var dash = core.IndexOfAny(['-', '+']);
        if (dash >= 0)
        {
            core = core[..dash];
        }

        var parts = core.Split('.');
        if (parts.Length is < 2 or > 3)
        {
            return false;
        }

        var numbers = new int[3];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }

        version = new Version(numbers[0], numbers[1], numbers[2]);
        return true;
    }
}
