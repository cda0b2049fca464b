namespace EtcdMaintenance.Manifests;

/// <summary>What kind of problem a <see cref="ManifestException"/> reports.</summary>
public enum ManifestErrorCode
{
    /// <summary>The text is not valid YAML.</summary>
    InvalidYaml = 1,

    /// <summary>A line is indented with a tab, which YAML forbids (and which kubelet rejects).</summary>
    TabIndentation,

    /// <summary>The file holds more than one YAML document where exactly one is expected.</summary>
    MultipleDocuments,

    /// <summary>A mapping has the same key twice, so which one a reader uses is unclear.</summary>
    DuplicateKey,

    /// <summary>The document is not a Kubernetes Pod (<c>kind: Pod</c>).</summary>
    NotAPod,

    /// <summary>The Pod has no container named <c>etcd</c> and none whose command starts with <c>etcd</c>.</summary>
    NoEtcdContainer,

    /// <summary>
    /// The YAML is valid but laid out in a way the editor does not change safely: a flow sequence
    /// (<c>command: [etcd, --x=y]</c>), an anchor, alias or tag on an edited item, flags inside a shell script,
    /// a non-empty flow mapping where a key must be added.
    /// </summary>
    UnsupportedLayout,

    /// <summary>A flag's value does not parse as the type the flag needs (or is not allowed).</summary>
    InvalidFlagValue,

    /// <summary>The document is not an etcd configuration file (a top-level mapping of etcd's flag names).</summary>
    NotAnEtcdConfigFile,

    /// <summary>The document is not a kubeadm <c>ClusterConfiguration</c> (nor a <c>kubeadm-config</c> ConfigMap holding one).</summary>
    NotAClusterConfiguration,

    /// <summary>The kubeadm configuration uses an external etcd, whose flags kubeadm does not manage.</summary>
    ExternalEtcd,

    /// <summary>The new quota is below the current database size: etcd would raise NOSPACE at once.</summary>
    QuotaBelowDatabaseSize,

    /// <summary>The new quota is above etcd's suggested maximum of 8 GiB and the change was not forced.</summary>
    QuotaAboveSuggestedMaximum,

    /// <summary>The file changed on disk after it was loaded; saving would overwrite someone else's change.</summary>
    ChangedOnDisk,

    /// <summary>The backup directory is the file's own directory or inside it (kubelet runs every file in its manifests directory).</summary>
    BackupDirectoryNotAllowed,

    /// <summary>The file's owner could not be kept on the new file, so the save was abandoned.</summary>
    OwnerNotPreserved,

    /// <summary>An edit did not read back as intended; nothing was changed. This is a bug in the editor: please report it with the input.</summary>
    EditVerificationFailed,

    /// <summary>The document was parsed from text, not loaded from a file, so there is nothing to save it to.</summary>
    NoFile,

    /// <summary>The flag is not one of etcd's (3.4 to 3.6), which would refuse to start with it; written only when forced.</summary>
    UnknownFlag,

    /// <summary>The quota is under 1 MiB (etcd would raise NOSPACE almost at once) or negative (which turns the quota off); written only when forced.</summary>
    QuotaBelowMinimum,

    /// <summary>The file is not a systemd environment file of <c>NAME=value</c> lines, or names none of etcd's <c>ETCD_*</c> variables.</summary>
    NotAnEnvironmentFile,
}

/// <summary>
/// A manifest, etcd configuration file or kubeadm configuration could not be read, edited or saved. Names the file,
/// the 1-based line and column, and the flag when known. Whenever this is thrown, the file on disk is untouched.
/// </summary>
public sealed class ManifestException : Exception
{
    /// <summary>Creates an error. The library builds its own with a message naming file, line and flag; this is public so that callers can fake errors in tests.</summary>
    /// <param name="message">The message.</param>
    /// <param name="errorCode">What kind of problem it is.</param>
    /// <param name="file">The file path or source name, when known.</param>
    /// <param name="line">The 1-based line, when known.</param>
    /// <param name="column">The 1-based column, when known.</param>
    /// <param name="flag">The flag or key concerned (without dashes), when there is one.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ManifestException(string message, ManifestErrorCode errorCode, string? file, int? line = null, int? column = null, string? flag = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        File = file;
        Line = line;
        Column = column;
        Flag = flag;
    }

    /// <summary>What kind of problem it is.</summary>
    public ManifestErrorCode ErrorCode { get; }

    /// <summary>The file path (or the source name given to <c>Parse</c>), when known.</summary>
    public string? File { get; }

    /// <summary>The 1-based line in <see cref="File"/>, when known.</summary>
    public int? Line { get; }

    /// <summary>The 1-based column in <see cref="File"/>, when known.</summary>
    public int? Column { get; }

    /// <summary>The flag or configuration key concerned, without leading dashes (e.g. <c>quota-backend-bytes</c>), when there is one.</summary>
    public string? Flag { get; }

    /// <summary>Builds an error whose message starts with <c>file:line:column:</c> and ends with the flag, as compilers print them.</summary>
    internal static ManifestException Create(ManifestErrorCode code, string? file, int? line, int? column, string? flag, string what, Exception? inner = null)
    {
        var where = file ?? "<text>";
        if (line is { } l)
        {
            where += column is { } c ? $":{l}:{c}" : $":{l}";
        }

        var message = flag is null ? $"{where}: {what}" : $"{where}: {what} (flag --{flag})";
        return new ManifestException(message, code, file, line, column, flag, inner);
    }
}
