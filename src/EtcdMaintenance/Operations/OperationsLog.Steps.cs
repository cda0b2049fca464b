using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Operations;

/// <summary>Log events of the step runner (<see cref="StepOperation{TContext, TResult, TProgress}"/>), 3300-3399.</summary>
internal static partial class OperationsLog
{
    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "{Kind} {OperationId}: step {Number} {Step} {Outcome}")]
    public static partial void OperationStepDone(ILogger logger, string kind, string operationId, int number, string step, string outcome);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Error, Message = "{Kind} {OperationId} stopped at step {Number} {Step}: {Message}")]
    public static partial void OperationStepFailed(ILogger logger, string kind, string operationId, int number, string step, string message);
}
