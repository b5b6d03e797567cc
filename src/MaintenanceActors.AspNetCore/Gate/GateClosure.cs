namespace MaintenanceActors.AspNetCore.Gate;

/// <summary>Why and until when a gate refuses work; shown to refused clients.</summary>
/// <param name="Reason">Operator-supplied reason, if any.</param>
/// <param name="Until">When maintenance is expected to end, if known (drives Retry-After).</param>
/// <param name="Since">When the gate closed.</param>
internal sealed record GateClosure(string? Reason, DateTimeOffset? Until, DateTimeOffset Since);
