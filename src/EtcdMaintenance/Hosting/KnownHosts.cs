using System.Security.Cryptography;
using System.Text;

namespace EtcdMaintenance.Hosting;

/// <summary>What a known_hosts file says about a host's key.</summary>
internal enum HostKeyVerdict
{
    /// <summary>The key is listed for the host.</summary>
    Known,

    /// <summary>The host is not listed at all.</summary>
    Unknown,

    /// <summary>The host is listed with other keys only.</summary>
    Changed,
}

/// <summary>
/// OpenSSH's known_hosts file: plain (<c>host</c>, <c>[host]:port</c>, comma-separated) and hashed (<c>|1|salt|hash</c>)
/// host names; <c>@cert-authority</c> lines are ignored and a key on a <c>@revoked</c> line is never trusted.
/// </summary>
internal static class KnownHosts
{
    /// <summary>The name a host has in known_hosts: <c>host</c> on port 22, <c>[host]:port</c> otherwise.</summary>
    public static string HostName(string host, int port) => port == 22 ? host : $"[{host}]:{port}";

    public static HostKeyVerdict Check(string file, string host, int port, string keyType, byte[] key)
    {
        if (!File.Exists(file))
        {
            return HostKeyVerdict.Unknown;
        }

        var name = HostName(host, port);
        var listed = false;
        foreach (var raw in File.ReadLines(file))
        {
            var fields = raw.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || fields[0].StartsWith('#'))
            {
                continue;
            }

            var revoked = fields[0] == "@revoked";
            if (fields[0].StartsWith('@'))
            {
                if (!revoked || fields.Length < 4)
                {
                    continue;
                }

                fields = fields[1..];
            }

            if (!Matches(fields[0], name))
            {
                continue;
            }

            var sameKey = fields[1] == keyType && TryDecode(fields[2]) is { } listedKey && listedKey.AsSpan().SequenceEqual(key);
            if (revoked && sameKey)
            {
                return HostKeyVerdict.Changed;
            }

            if (sameKey)
            {
                return HostKeyVerdict.Known;
            }

            listed |= !revoked;
        }

        return listed ? HostKeyVerdict.Changed : HostKeyVerdict.Unknown;
    }

    /// <summary>Appends the key for the host (creating the file owner-only, and its directory, when missing).</summary>
    public static void Add(string file, string host, int port, string keyType, byte[] key)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(file, options);
        var needsNewLine = stream.Length > 0 && LastByte(file) != '\n';
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.Write($"{(needsNewLine ? "\n" : string.Empty)}{HostName(host, port)} {keyType} {Convert.ToBase64String(key)}\n");
    }

    private static int LastByte(string file)
    {
        using var read = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        read.Seek(-1, SeekOrigin.End);
        return read.ReadByte();
    }

    private static bool Matches(string patterns, string name)
    {
        if (patterns.StartsWith("|1|", StringComparison.Ordinal))
        {
            var parts = patterns.Split('|');
            if (parts.Length != 4 || TryDecode(parts[2]) is not { } salt || TryDecode(parts[3]) is not { } hash)
            {
                return false;
            }

#pragma warning disable CA5350 // OpenSSH's hashed host names are HMAC-SHA1 by definition; this reads them, it protects nothing with them.
            return CryptographicOperations.FixedTimeEquals(HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name)), hash);
#pragma warning restore CA5350
        }

        var matched = false;
        foreach (var pattern in patterns.Split(','))
        {
            if (pattern.StartsWith('!') && string.Equals(pattern[1..], name, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            matched |= string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase);
        }

        return matched;
    }

    private static byte[]? TryDecode(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) ? buffer[..written] : null;
    }
}
