using Microsoft.Extensions.Options;

namespace EtcdMaintenance.Monitoring;

/// <summary>How a <see cref="ClusterPoller"/> polls; validated when the poller is created (an <see cref="OptionsValidationException"/> lists what is wrong).</summary>
public sealed class ClusterPollerOptions
{
    /// <summary>The time between the starts of two rounds. A round that takes longer delays the next one; rounds never overlap.</summary>
    /// <value>
    /// 5 seconds: a round costs one Status call per member (well under a millisecond on a LAN), so watching every few
    /// seconds is cheap; a round lasts at most the client's command timeout (5 s by default) when a member hangs.
    /// </value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most snapshots kept for trends (the quota forecast, leader changes, downtime). The poller keeps
    /// <see cref="DiagnosticsOptions"/>' longest window; at short intervals it keeps every n-th round so that this
    /// limit holds (memory stays bounded however long it runs).
    /// </summary>
    /// <value>720: one hour at the default interval.</value>
    public int MaxHistory { get; set; } = 720;

    /// <summary>The thresholds the poller's rounds are judged by (<see cref="ClusterSnapshot.Findings"/>).</summary>
    public DiagnosticsOptions Diagnostics { get; set; } = new();
}

/// <summary>Validates <see cref="ClusterPollerOptions"/>, including its <see cref="ClusterPollerOptions.Diagnostics"/>.</summary>
internal sealed class ClusterPollerOptionsValidator : IValidateOptions<ClusterPollerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ClusterPollerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Interval <= TimeSpan.Zero || options.Interval > TimeSpan.FromDays(1))
        {
            failures.Add($"Interval is {options.Interval}: give a positive duration of at most a day (default 5 seconds).");
        }

        if (options.MaxHistory < 2)
        {
            failures.Add($"MaxHistory is {options.MaxHistory}: keep at least 2 snapshots for trends (default 720).");
        }

        if (options.Diagnostics is null)
        {
            failures.Add("Diagnostics is null: leave it at its default (new DiagnosticsOptions()) or set its thresholds.");
        }
        else
        {
            var diagnostics = new DiagnosticsOptionsValidator().Validate(name, options.Diagnostics);
            if (diagnostics.Failed)
            {
                failures.AddRange(diagnostics.Failures.Select(f => $"Diagnostics.{f}"));
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
