using System.Runtime.InteropServices;

namespace EtcdMaintenance.Hosting;

/// <summary>libc's kill(2), for the signals .NET's Process does not send (SIGTERM, SIGSTOP, SIGCONT).</summary>
internal static partial class PosixSignals
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
