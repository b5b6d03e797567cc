using Akka.Actor;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.AspNetCore.Tests.Fixtures;

/// <summary>
/// TestKit for a drain actor spec: the actor system runs on Akka's <c>TestScheduler</c>, so drain deadlines and delays
/// pass only when a test advances <see cref="VirtualClockTestKit.Time"/>; asks wait on the wall clock.
/// </summary>
public abstract class DrainActorTestKit : VirtualClockTestKit
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    protected DrainActorTestKit(ITestOutputHelper output)
        : base(output)
    {
    }

    /// <summary>The drain actor under test, set when the spec starts it.</summary>
    protected IActorRef Drain { get; set; } = null!;

    protected EnterMaintenance Enter(long epoch, TimeSpan? deadlineIn = null, MaintenanceInfo? info = null) =>
        new(epoch, Time.GetUtcNow() + (deadlineIn ?? TimeSpan.FromMinutes(1)), info);

    /// <summary>
    /// Asks the drain actor with a wall-clock limit (an Ask's timeout runs on real time, not on the virtual clock). An
    /// answered ask also proves the actor processed every message sent to it before, so timers it started then are
    /// registered and a following <see cref="VirtualTime.Advance"/> fires them.
    /// </summary>
    protected Task<T> AskAsync<T>(object message) => Drain.Ask<T>(message, Patience);
}
