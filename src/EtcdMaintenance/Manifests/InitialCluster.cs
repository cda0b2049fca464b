using System.Diagnostics.CodeAnalysis;

namespace EtcdMaintenance.Manifests;

/// <summary>Whether a member bootstraps a new cluster or joins an existing one (<c>--initial-cluster-state</c>).</summary>
public enum InitialClusterState
{
    /// <summary><c>new</c>: every member listed in <c>--initial-cluster</c> starts together.</summary>
    New = 1,

    /// <summary><c>existing</c>: the member joins a running cluster (after <c>etcdctl member add</c>).</summary>
    Existing,
}

/// <summary>One member of an <see cref="InitialCluster"/>: its name and its peer URLs.</summary>
public sealed record InitialClusterMember
{
    /// <summary>Creates a member entry.</summary>
    /// <param name="name">The member's <c>--name</c>.</param>
    /// <param name="peerUrls">Its peer URLs (<c>--initial-advertise-peer-urls</c>), at least one.</param>
    public InitialClusterMember(string name, IEnumerable<string> peerUrls)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(peerUrls);
        if (name.Contains('=', StringComparison.Ordinal) || name.Contains(',', StringComparison.Ordinal) || name.Trim() != name)
        {
            throw new ArgumentException($"'{name}' cannot be a member name in --initial-cluster (no '=', ',' or surrounding spaces).", nameof(name));
        }

        var urls = peerUrls.ToList();
        if (urls.Count == 0)
        {
            throw new ArgumentException($"Member '{name}' needs at least one peer URL.", nameof(peerUrls));
        }

        foreach (var url in urls)
        {
            EtcdUrls.Validate(url, nameof(peerUrls));
        }

        Name = name;
        PeerUrls = urls.AsReadOnly();
    }

    /// <summary>The member's name.</summary>
    public string Name { get; }

    /// <summary>The member's peer URLs, as written.</summary>
    public IReadOnlyList<string> PeerUrls { get; }

    /// <inheritdoc />
    public bool Equals(InitialClusterMember? other) =>
        other is not null && Name == other.Name && PeerUrls.SequenceEqual(other.PeerUrls, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, PeerUrls.Count, PeerUrls[0]);
}

/// <summary>
/// The members a bootstrapping or joining etcd member expects (<c>--initial-cluster</c>):
/// <c>name=url[,name=url...]</c>; a member with several peer URLs appears once per URL under the same name. Names are
/// unique and no peer URL belongs to two members.
/// </summary>
/// <remarks>
/// A class with value equality rather than a struct: it holds a list, and a default struct would be an invalid, empty
/// cluster. Immutable: <see cref="WithMember"/> and <see cref="WithoutMember"/> return new instances.
/// </remarks>
public sealed class InitialCluster : IEquatable<InitialCluster>, IParsable<InitialCluster>
{
    /// <summary>Creates an initial cluster from its members.</summary>
    /// <param name="members">At least one; names unique; no peer URL shared by two members.</param>
    public InitialCluster(IEnumerable<InitialClusterMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var list = members.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("An initial cluster needs at least one member.", nameof(members));
        }

        if (list.GroupBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ArgumentException($"Member name '{duplicate.Key}' appears twice; names must be unique.", nameof(members));
        }

        if (list.SelectMany(m => m.PeerUrls.Select(u => (m.Name, Url: u))).GroupBy(p => p.Url, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } shared)
        {
            throw new ArgumentException($"Peer URL '{shared.Key}' is given for more than one member ({string.Join(", ", shared.Select(p => p.Name).Distinct())}).", nameof(members));
        }

        Members = list.AsReadOnly();
    }

    /// <summary>The members, in the order written.</summary>
    public IReadOnlyList<InitialClusterMember> Members { get; }

    /// <summary>The member with this name, or <see langword="null"/>.</summary>
    /// <param name="name">The member's name.</param>
    public InitialClusterMember? Find(string name) => Members.FirstOrDefault(m => m.Name == name);

    /// <summary>A copy with the named member added at the end, or its peer URLs replaced where it stands.</summary>
    /// <param name="name">The member's name.</param>
    /// <param name="peerUrls">Its peer URLs, at least one.</param>
    public InitialCluster WithMember(string name, IEnumerable<string> peerUrls)
    {
        var member = new InitialClusterMember(name, peerUrls);
        var list = Members.ToList();
        var index = list.FindIndex(m => m.Name == name);
        if (index >= 0)
        {
            list[index] = member;
        }
        else
        {
            list.Add(member);
        }

        return new InitialCluster(list);
    }

    /// <summary>A copy without the named member (unchanged if it is absent). Throws if it is the only member.</summary>
    /// <param name="name">The member's name.</param>
    public InitialCluster WithoutMember(string name) =>
        Find(name) is null ? this : new InitialCluster(Members.Where(m => m.Name != name));

    /// <summary>Parses <c>name=url[,name=url...]</c>; throws <see cref="FormatException"/> naming the bad entry.</summary>
    /// <param name="s">The flag's value.</param>
    public static InitialCluster Parse(string s) => Parse(s, null);

    /// <summary>Parses <c>name=url[,name=url...]</c>; throws <see cref="FormatException"/> naming the bad entry.</summary>
    /// <param name="s">The flag's value.</param>
    /// <param name="provider">Ignored.</param>
    public static InitialCluster Parse(string s, IFormatProvider? provider)
    {
        ArgumentNullException.ThrowIfNull(s);
        return TryParse(s, out var result, out var error) ? result : throw new FormatException(error);
    }

    /// <summary>Tries to parse <c>name=url[,name=url...]</c>.</summary>
    /// <param name="s">The flag's value.</param>
    /// <param name="result">The cluster, when the text parses.</param>
    public static bool TryParse([NotNullWhen(true)] string? s, [MaybeNullWhen(false)] out InitialCluster result) => TryParse(s, out result, out _);

    /// <summary>Tries to parse <c>name=url[,name=url...]</c>.</summary>
    /// <param name="s">The flag's value.</param>
    /// <param name="provider">Ignored.</param>
    /// <param name="result">The cluster, when the text parses.</param>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out InitialCluster result) => TryParse(s, out result, out _);

    private static bool TryParse(string? s, [MaybeNullWhen(false)] out InitialCluster result, out string error)
    {
        result = null;
        if (string.IsNullOrWhiteSpace(s))
        {
            error = "An initial cluster cannot be empty: write name=url[,name=url...].";
            return false;
        }

        var order = new List<string>();
        var urls = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in s.Split(','))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? entry[..equals] : string.Empty;
            var url = equals > 0 ? entry[(equals + 1)..] : string.Empty;
            if (name.Length == 0 || url.Length == 0 || name.Trim() != name)
            {
                error = $"'{entry}' in '{s}' is not name=url.";
                return false;
            }

            if (EtcdUrls.Check(url) is { } problem)
            {
                error = $"'{entry}' in '{s}': {problem}";
                return false;
            }

            if (!urls.TryGetValue(name, out var list))
            {
                urls[name] = list = [];
                order.Add(name);
            }

            list.Add(url);
        }

        try
        {
            result = new InitialCluster(order.Select(n => new InitialClusterMember(n, urls[n])));
        }
        catch (ArgumentException ex)
        {
            error = $"'{s}': {ex.Message}";
            return false;
        }

        error = string.Empty;
        return true;
    }

    /// <summary>The flag's value: <c>name=url</c> per peer URL, comma-separated, members in order.</summary>
    public override string ToString() => string.Join(',', Members.SelectMany(m => m.PeerUrls.Select(u => $"{m.Name}={u}")));

    /// <inheritdoc />
    public bool Equals(InitialCluster? other) => other is not null && Members.SequenceEqual(other.Members);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as InitialCluster);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Members.Count, Members[0]);

    /// <summary>Value equality.</summary>
    public static bool operator ==(InitialCluster? left, InitialCluster? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(InitialCluster? left, InitialCluster? right) => !(left == right);
}

/// <summary>The etcd URL flags (<c>--listen-client-urls</c> and friends): comma-separated URLs.</summary>
public enum EtcdUrlKind
{
    /// <summary><c>--listen-client-urls</c>.</summary>
    ListenClientUrls = 1,

    /// <summary><c>--advertise-client-urls</c>.</summary>
    AdvertiseClientUrls,

    /// <summary><c>--listen-peer-urls</c>.</summary>
    ListenPeerUrls,

    /// <summary><c>--initial-advertise-peer-urls</c>.</summary>
    InitialAdvertisePeerUrls,

    /// <summary><c>--listen-metrics-urls</c>.</summary>
    ListenMetricsUrls,
}

/// <summary>etcd's rules for member URLs (<c>types.NewURLs</c>): http, https, unix or unixs; host:port for http(s); no path.</summary>
internal static class EtcdUrls
{
    public static string FlagName(EtcdUrlKind flag) => flag switch
    {
        EtcdUrlKind.ListenClientUrls => "listen-client-urls",
        EtcdUrlKind.AdvertiseClientUrls => "advertise-client-urls",
        EtcdUrlKind.ListenPeerUrls => "listen-peer-urls",
        EtcdUrlKind.InitialAdvertisePeerUrls => "initial-advertise-peer-urls",
        EtcdUrlKind.ListenMetricsUrls => "listen-metrics-urls",
        _ => throw new ArgumentOutOfRangeException(nameof(flag), flag, "Unknown URL flag."),
    };

    /// <summary>What is wrong with a URL, or <see langword="null"/> when etcd accepts it.</summary>
    public static string? Check(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return $"'{url}' is not an absolute URL.";
        }

        if (uri.Scheme is not ("http" or "https" or "unix" or "unixs"))
        {
            return $"'{url}' must use http, https, unix or unixs.";
        }

        if (uri.Scheme is "http" or "https")
        {
            var authority = url[(uri.Scheme.Length + 3)..].Split('/')[0];
            var colon = authority.IndexOf(':', authority.LastIndexOf(']') + 1);
            if (uri.Host.Length == 0 || colon < 0 || colon == authority.Length - 1)
            {
                return $"'{url}' must name a host and a port (host:port).";
            }

            if (uri.AbsolutePath != "/" || url.EndsWith('/') || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                return $"'{url}' must not have a path.";
            }
        }

        return null;
    }

    public static void Validate(string url, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(url, parameterName);
        if (Check(url) is { } problem)
        {
            throw new ArgumentException(problem, parameterName);
        }
    }
}
