using System.Diagnostics.CodeAnalysis;

namespace EtcdMaintenance.Manifests;

/// <summary>How a flag is written.</summary>
public enum ManifestFlagSyntax
{
    /// <summary>One command-line item, <c>--name=value</c> (kubeadm's style).</summary>
    Joined = 1,

    /// <summary>Two command-line items, <c>--name</c> then <c>value</c>.</summary>
    Separate,

    /// <summary>One command-line item without a value, <c>--name</c>: a boolean flag set to true.</summary>
    Bare,

    /// <summary>A mapping entry <c>name: value</c> (etcd's configuration file; kubeadm <c>extraArgs</c> up to <c>v1beta3</c>).</summary>
    MappingEntry,

    /// <summary>A list item <c>- name: n</c> / <c>value: v</c> (kubeadm <c>extraArgs</c> from <c>v1beta4</c>).</summary>
    NameValueItem,

    /// <summary>An environment variable <c>ETCD_NAME=value</c> (a systemd environment file such as kubespray's <c>/etc/etcd.env</c>).</summary>
    EnvironmentVariable,
}

/// <summary>One occurrence of a flag in a document.</summary>
public sealed record ManifestFlag
{
    /// <summary>Creates one; set every required property.</summary>
    public ManifestFlag()
    {
    }

    [SetsRequiredMembers]
    internal ManifestFlag(string name, string? value, ManifestFlagSyntax syntax, int line)
    {
        Name = name;
        Value = value;
        Syntax = syntax;
        Line = line;
    }

    /// <summary>The flag's name without leading dashes, e.g. <c>quota-backend-bytes</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The value as written (unquoted), or <see langword="null"/> for a <see cref="ManifestFlagSyntax.Bare"/> flag.</summary>
    public string? Value { get; init; }

    /// <summary>How it is written.</summary>
    public required ManifestFlagSyntax Syntax { get; init; }

    /// <summary>The 1-based line where it is written.</summary>
    public required int Line { get; init; }

    /// <summary>
    /// Whether etcd uses this occurrence: the last one of its name wins (Go's flag package sets the flag once per
    /// occurrence), so every earlier duplicate is ignored.
    /// </summary>
    public bool IsEffective { get; init; }

    /// <summary>The value etcd sees: <see cref="Value"/>, or <c>true</c> for a bare boolean flag.</summary>
    public string EffectiveValue => Value ?? "true";
}
