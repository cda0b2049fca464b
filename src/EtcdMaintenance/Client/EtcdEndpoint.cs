using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EtcdMaintenance;

/// <summary>
/// One etcd member's client URL, as etcdctl's <c>--endpoints</c> takes it: <c>https://10.0.0.1:2379</c>,
/// <c>http://127.0.0.1:2379</c> or <c>10.0.0.1:2379</c> (no scheme: TLS when TLS is configured, as etcdctl does).
/// </summary>
public sealed class EtcdEndpoint : IEquatable<EtcdEndpoint>
{
    /// <summary>The port etcd listens on for clients unless told otherwise.</summary>
    public const int DefaultClientPort = 2379;

    private EtcdEndpoint(Uri address, string text)
    {
        Address = address;
        Text = text;
    }

    /// <summary>The endpoint as an absolute <c>http</c> or <c>https</c> URI with an explicit port and no path.</summary>
    public Uri Address { get; }

    /// <summary>The endpoint as the caller wrote it (trimmed); etcdctl prints this in its ENDPOINT column.</summary>
    public string Text { get; }

    /// <summary>Whether calls to this endpoint use TLS.</summary>
    public bool UsesTls => Address.Scheme == Uri.UriSchemeHttps;

    /// <summary>Host and port, e.g. <c>10.0.0.1:2379</c>.</summary>
    public string Authority => Address.Authority;

    /// <summary>Parses one endpoint.</summary>
    /// <param name="text">A URL or <c>host:port</c>.</param>
    /// <param name="useTlsWithoutScheme">The scheme to assume when <paramref name="text"/> has none.</param>
    /// <exception cref="FormatException">The text is not an http(s) URL or <c>host:port</c>; the message says why.</exception>
    public static EtcdEndpoint Parse(string text, bool useTlsWithoutScheme = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, useTlsWithoutScheme, out var endpoint, out var error) ? endpoint : throw new FormatException(error);
    }

    /// <summary>
    /// Parses a comma-separated list the way etcdctl's <c>--endpoints</c> does
    /// (<c>https://10.0.0.1:2379,https://10.0.0.2:2379</c>). Empty items are ignored; duplicates are dropped.
    /// </summary>
    /// <exception cref="FormatException">An item is not an endpoint; the message names it.</exception>
    public static IReadOnlyList<EtcdEndpoint> ParseList(string text, bool useTlsWithoutScheme = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<EtcdEndpoint>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var endpoint = Parse(item, useTlsWithoutScheme);
            if (!result.Contains(endpoint))
            {
                result.Add(endpoint);
            }
        }

        return result;
    }

    /// <summary>Tries to parse one endpoint; <paramref name="error"/> says what is wrong when it fails.</summary>
    public static bool TryParse(
        string? text,
        bool useTlsWithoutScheme,
        [NotNullWhen(true)] out EtcdEndpoint? endpoint,
        [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        var trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            error = "An etcd endpoint is empty: give a client URL such as https://10.0.0.1:2379 or host:port.";
            return false;
        }

        var hasScheme = trimmed.Contains("://", StringComparison.Ordinal);
        var candidate = hasScheme ? trimmed : (useTlsWithoutScheme ? "https://" : "http://") + trimmed;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{trimmed}' is not an etcd endpoint: give a client URL such as https://10.0.0.1:2379 or host:port.";
            return false;
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            error = $"'{trimmed}' uses the scheme '{uri.Scheme}': etcd endpoints must be http:// or https:// (unix sockets are not supported).";
            return false;
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
        {
            error = $"'{trimmed}' has a path or query: an etcd endpoint is scheme, host and port only.";
            return false;
        }

        var port = uri.IsDefaultPort && !HasExplicitPort(trimmed) ? DefaultClientPort : uri.Port;
        var address = new UriBuilder(uri.Scheme, uri.Host, port).Uri;
        endpoint = new EtcdEndpoint(address, trimmed);
        error = null;
        return true;
    }

    /// <inheritdoc />
    public bool Equals(EtcdEndpoint? other) => other is not null && Address.Equals(other.Address);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as EtcdEndpoint);

    /// <inheritdoc />
    public override int GetHashCode() => Address.GetHashCode();

    /// <summary>The endpoint as the caller wrote it.</summary>
    public override string ToString() => Text;

    private static bool HasExplicitPort(string text)
    {
        var authority = text.Contains("://", StringComparison.Ordinal) ? text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..] : text;
        var close = authority.LastIndexOf(']');
        var colon = authority.LastIndexOf(':');
        return colon > close && colon < authority.Length - 1 &&
               int.TryParse(authority.AsSpan(colon + 1).TrimEnd('/'), NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }
}
