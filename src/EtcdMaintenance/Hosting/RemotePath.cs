namespace EtcdMaintenance.Hosting;

/// <summary>POSIX paths on a node (whatever the operating system this runs on).</summary>
internal static class RemotePath
{
    public static string Absolute(string path, string parameter) =>
        !string.IsNullOrEmpty(path) && path[0] == '/' ? path : throw new ArgumentException($"'{path}' is not an absolute path on the node.", parameter);

    public static string TrimEnd(string path) => path.Length > 1 ? path.TrimEnd('/') : path;

    public static string Directory(string path)
    {
        var trimmed = TrimEnd(path);
        var slash = trimmed.LastIndexOf('/');
        return slash <= 0 ? "/" : trimmed[..slash];
    }

    public static string FileName(string path) => TrimEnd(path)[(TrimEnd(path).LastIndexOf('/') + 1)..];

    public static string Combine(string directory, string name) => TrimEnd(directory) + "/" + name;

    public static bool IsSameOrInside(string path, string directory) =>
        (TrimEnd(path) + "/").StartsWith(TrimEnd(directory) + "/", StringComparison.Ordinal);
}
