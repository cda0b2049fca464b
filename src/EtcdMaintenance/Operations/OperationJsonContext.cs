using System.Text.Json.Serialization;

namespace EtcdMaintenance.Operations;

/// <summary>The JSON shape of operation checkpoints and the plans they carry, generated at compile time (trimming- and AOT-safe).</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OperationCheckpoint))]
[JsonSerializable(typeof(SpaceRecoveryPlan))]
[JsonSerializable(typeof(QuotaRaisePlan))]
internal sealed partial class OperationJsonContext : JsonSerializerContext;
