using EtcdMaintenance;
using EtcdMaintenance.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Samples.HostedService;

/// <summary>
/// Watches one cluster: logs what looks wrong every minute, recovers space automatically when NOSPACE is raised (if
/// configured to), and defragments on a schedule when the rule finds it worth it.
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
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), _time);
        do
        {
            try
            {
                var status = await client.GetClusterStatusAsync(stoppingToken);
                foreach (var down in status.Unreachable)
                {
                    LogUnreachable(logger, down.Endpoint.Text, down.Error?.Message);
                }

                foreach (var member in status.Reachable.Where(s => s.QuotaUsage > 0.8))
                {
                    LogNearQuota(logger, member.Endpoint, member.QuotaUsage!.Value);
                }

                var alarms = await client.GetAlarmsAsync(stoppingToken);
                if (alarms.Any(a => a.Type == EtcdAlarmType.NoSpace) && recoverAutomatically)
                {
                    var report = await new SpaceRecovery(client, new SpaceRecoveryOptions { DefragmentWhen = rule | DefragCondition.Parse("quotaUsage > 0.8") }, logger, _time)
                        .ExecuteAsync(cancellationToken: stoppingToken);
                    LogRecovered(logger, report.Succeeded, report.Reclaimed, report.FailureReason);
                }
                else
                {
                    await schedule.RunOnceAsync(stoppingToken);
                }
            }
            catch (EtcdException ex)
            {
                LogCheckFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Endpoint} does not answer: {Error}")]
    private static partial void LogUnreachable(ILogger logger, string endpoint, string? error);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Endpoint} is at {Usage:P0} of its quota")]
    private static partial void LogNearQuota(ILogger logger, string endpoint, double usage);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Space recovery finished: succeeded {Succeeded}, reclaimed {Reclaimed} bytes {Reason}")]
    private static partial void LogRecovered(ILogger logger, bool succeeded, long reclaimed, string? reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Check failed: {Error}")]
    private static partial void LogCheckFailed(ILogger logger, string error);
}
