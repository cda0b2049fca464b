namespace EtcdMaintenance.Manifests;

/// <content>Loading a file of any kind, recognised from its content.</content>
public abstract partial class EtcdFlagFile
{
    /// <summary>Which kind of file this is.</summary>
    public abstract EtcdFlagFileKind Kind { get; }

    /// <summary>What the file is, for people: e.g. <c>static pod, container etcd (kubeadm): etcd</c>.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// Loads a file that holds etcd's flags, recognising its kind from its content: a systemd environment file
    /// (<c>ETCD_*=</c> lines), a Pod manifest, a kubeadm ClusterConfiguration (or kubeadm-config ConfigMap), or else etcd's
    /// configuration file. The result is the typed document (<see cref="Kind"/> says which), edited and saved the same way
    /// whatever its kind.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <exception cref="ManifestException">The file is none of these kinds (the error says why it is not an etcd configuration file), naming the line.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static EtcdFlagFile Load(string path) => Detect(DocumentOrigin.FromFile(path));

    /// <summary>Parses a file that holds etcd's flags from text, recognising its kind as <see cref="Load"/> does.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="sourceName">A name for messages and diffs, e.g. the path it came from.</param>
    /// <exception cref="ManifestException">The text is none of the kinds, naming the line.</exception>
    public static EtcdFlagFile Parse(string text, string? sourceName = null) => Detect(DocumentOrigin.FromText(text, sourceName));

    private static EtcdFlagFile Detect(DocumentOrigin origin)
    {
        if (EtcdEnvironmentFile.LooksLike(origin.Text))
        {
            return EtcdEnvironmentFile.FromOrigin(origin);
        }

        try
        {
            return EtcdManifest.FromOrigin(origin);
        }
        catch (ManifestException ex) when (ex.ErrorCode == ManifestErrorCode.NotAPod)
        {
        }

        try
        {
            return KubeadmClusterConfiguration.FromOrigin(origin);
        }
        catch (ManifestException ex) when (ex.ErrorCode == ManifestErrorCode.NotAClusterConfiguration)
        {
        }

        return EtcdConfigFile.FromOrigin(origin);
    }
}
