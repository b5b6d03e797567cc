namespace MaintenanceActors.AspNetCore.Gate;

/// <summary>
/// Learns why and until when the service is in maintenance, so refusals can say so: the drain actor asks
/// its parent (the supervisor) for <see cref="MaintenanceStatus"/> when intake stops, and the reply lands here.
/// </summary>
/// <remarks>
/// The resource base keeps the <see cref="EnterMaintenance"/> message (which carries the info) to itself;
/// a refusal in the sub-millisecond before the reply arrives has no reason, only the generic text.
/// </remarks>
internal static class MaintenanceInfoTracker
{
    /// <summary>Asks the supervisor for the status; the reply comes back to <paramref name="self"/>.</summary>
    public static void Request(Actors.IActorRef supervisor, Actors.IActorRef self) =>
        supervisor.Tell(GetMaintenanceStatus.Instance, self);

    /// <summary>The newest info among the sources that currently ask for maintenance; null when none gave any.</summary>
    public static MaintenanceInfo? From(MaintenanceStatus status) =>
        status.Votes.Where(v => v.Enabled && v.Info is not null).MaxBy(v => v.ObservedAt)?.Info;
}
