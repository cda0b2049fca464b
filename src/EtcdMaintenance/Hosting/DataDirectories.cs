using System.Globalization;

namespace EtcdMaintenance.Hosting;

/// <summary>Moves etcd data dirs aside, never deleting them.</summary>
internal static class DataDirectories
{
    /// <summary>Renames <paramref name="dataDirectory"/> to <c>DIR.replaced-yyyyMMddTHHmmssZ</c> beside it; returns the new path, or <see langword="null"/> when it did not exist.</summary>
    public static string? Archive(string dataDirectory, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
        if (!Directory.Exists(full))
        {
            return null;
        }

        var stamp = timeProvider.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var target = $"{full}.replaced-{stamp}";
        for (var n = 2; Directory.Exists(target) || File.Exists(target); n++)
        {
            target = $"{full}.replaced-{stamp}-{n}";
        }

        Directory.Move(full, target);
        return target;
    }
}
