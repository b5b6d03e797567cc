namespace MaintenanceActors.Cli.Roll;

/// <summary>What <c>maintctl roll</c> was asked to do (flags already validated).</summary>
internal sealed record RollOptions(
    string Service,
    MaxUnavailable MaxUnavailable,
    IReadOnlyList<string>? Instances,
    string? Exec,
    TimeSpan? Wait,
    string Reason,
    string By,
    TimeSpan Hold,
    TimeSpan DrainTimeout,
    TimeSpan ResumeTimeout,
    TimeSpan SlotTimeout,
    TimeSpan LeaseTtl)
{
    public static readonly TimeSpan DefaultHold = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultResumeTimeout = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan DefaultSlotTimeout = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan DefaultLeaseTtl = TimeSpan.FromSeconds(10);
}
