using EtcdMaintenance;
using EtcdMaintenance.Monitoring;
using EtcdMaintenance.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Samples.HostedService;

/// <summary>
/// Watches one cluster: polls every member, logs each finding, recovers space automatically when NOSPACE is raised (if
/// configured to), and otherwise defragments on a schedule when the rule finds it worth it and the cluster is calm.
/// </summary>
internal sealed partial class EtcdMaintenanceWorker(IEtcdMaintenanceClient client, IConfiguration configuration, ILogger<EtcdMaintenanceWorker> logger, TimeProvider? timeProvider = null)
    : BackgroundService
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var rule = DefragCondition.Parse(configuration["Maintenance:DefragmentWhen"] ?? DefragCondition.OpenShift.ToString());
        var recoverAutomatically = configuration.GetValue("Maintenance:RecoverSpaceAutomatically", false);
        var schedule = new ScheduledDefragmentation(client, new ScheduledDefragmentationOptions { DefragmentWhen = rule }, logger, _time);
        var nextScheduledCheck = _time.GetUtcNow();
        await using var poller = new ClusterPoller(client, new ClusterPollerOptions { Interval = TimeSpan.FromSeconds(30) }, timeProvider: _time);

        await poller.RunAsync(async (round, cancellationToken) =>
        {
            foreach (var finding in round.Findings)
            {
                LogFinding(logger, finding.Severity, finding.Summary, finding.Recommendation.Description);
            }

            try
            {
                if (recoverAutomatically && round.Findings.OfType<AlarmFinding>().Any(f => f.Alarm.Type == EtcdAlarmType.NoSpace))
                {
                    var report = await new SpaceRecovery(client, null, logger, _time).ExecuteAsync(cancellationToken: cancellationToken);
                    LogRecovered(logger, report.Succeeded, report.Reclaimed, report.FailureReason);
                }
                else if (_time.GetUtcNow() >= nextScheduledCheck)
                {
                    nextScheduledCheck = _time.GetUtcNow() + TimeSpan.FromMinutes(10);
                    await schedule.RunOnceAsync(cancellationToken);
                }
            }
            catch (EtcdException ex)
            {
                LogMaintenanceFailed(logger, ex.Message);
            }
        }, stoppingToken);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Severity}: {Summary} -> {Recommendation}")]
    private static partial void LogFinding(ILogger logger, FindingSeverity severity, string summary, string recommendation);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Space recovery finished: succeeded {Succeeded}, reclaimed {Reclaimed} bytes {Reason}")]
    private static partial void LogRecovered(ILogger logger, bool succeeded, long reclaimed, string? reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Maintenance step failed: {Error}")]
    private static partial void LogMaintenanceFailed(ILogger logger, string error);
}
