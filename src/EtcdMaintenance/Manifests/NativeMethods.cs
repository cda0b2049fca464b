using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace EtcdMaintenance.Manifests;

/// <summary>The few Linux calls .NET has no API for: read a file's owner (statx), change it (chown), flush a directory (fsync).</summary>
internal static class NativeMethods
{
    private const int AtFdCwd = -100;
    private const uint StatxUid = 0x8;
    private const uint StatxGid = 0x10;

    /// <summary>Reads a file's owner with statx, whose buffer layout is the same on every Linux architecture.</summary>
    public static bool TryGetOwner(string path, out uint uid, out uint gid)
    {
        uid = gid = 0;
        var buffer = new byte[256];
        try
        {
            if (statx(AtFdCwd, path, 0, StatxUid | StatxGid, buffer) != 0)
            {
                return false;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }

        // struct statx: u32 stx_mask, u32 stx_blksize, u64 stx_attributes, u32 stx_nlink, u32 stx_uid (20), u32 stx_gid (24).
        var mask = ReadUInt32(buffer, 0);
        uid = ReadUInt32(buffer, 20);
        gid = ReadUInt32(buffer, 24);
        return (mask & (StatxUid | StatxGid)) == (StatxUid | StatxGid);
    }

    /// <summary>Changes a file's owner; returns the errno on failure, <see langword="null"/> on success.</summary>
    public static int? Chown(string path, uint uid, uint gid) => chown(path, uid, gid) == 0 ? null : Marshal.GetLastPInvokeError();

    /// <summary>Flushes a directory's entries (a rename in it) to disk; best effort.</summary>
    public static void FsyncDirectory(string directory)
    {
        var fd = open(directory, 0);
        if (fd >= 0)
        {
            _ = fsync(fd);
            _ = close(fd);
        }
    }

    private static uint ReadUInt32(byte[] buffer, int offset) => BitConverter.IsLittleEndian
        ? BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset))
        : BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(offset));

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int statx(int dirfd, string pathname, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int chown(string path, uint owner, uint group);

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int close(int fd);
}
