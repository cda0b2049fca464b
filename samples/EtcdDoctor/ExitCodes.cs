namespace EtcdDoctor;

/// <summary>etcd-doctor's exit codes, the same for every command (documented in the README).</summary>
internal static class ExitCodes
{
    /// <summary>Done; nothing wrong.</summary>
    public const int Ok = 0;

    /// <summary>Failed: bad input, an unreachable or refusing member, an error from etcd.</summary>
    public const int Failed = 1;

    /// <summary>Findings at the failing severity (check, check-consistency), or an operation refused by a safety check before changing anything.</summary>
    public const int Refused = 2;

    /// <summary>Cancelled by Ctrl+C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
