using MaintenanceActors.Actors;
using MaintenanceActors.Actors.TestKit;
using Xunit.Abstractions;

namespace MaintenanceActors.AspNetCore.Tests.Fixtures;

/// <summary>TestKit for a drain actor spec: the actor system runs on a manual clock the tests advance, and asks wait on the wall clock.</summary>
public abstract class DrainActorTestKit : TestKit
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    protected DrainActorTestKit(ITestOutputHelper output)
        : this(new ManualTimeProvider(), output)
    {
    }

    // The clock is created before the base constructor runs so the actor system and the spec share it.
    private DrainActorTestKit(ManualTimeProvider time, ITestOutputHelper output)
        : base(timeProvider: time, output: output)
    {
        Time = time;
    }

    /// <summary>The actor system's clock; deadlines and delays pass only when a test advances it.</summary>
    protected ManualTimeProvider Time { get; }

    /// <summary>The drain actor under test, set when the spec starts it.</summary>
    protected IActorRef Drain { get; set; } = null!;

    protected EnterMaintenance Enter(long epoch, TimeSpan? deadlineIn = null, MaintenanceInfo? info = null) =>
        new(epoch, Time.GetUtcNow() + (deadlineIn ?? TimeSpan.FromMinutes(1)), info);

    /// <summary>Asks with a wall-clock limit: the ask's own timeout runs on the manual clock the tests advance.</summary>
    protected Task<T> AskAsync<T>(object message) => Drain.Ask<T>(message, TimeSpan.FromDays(1)).WaitAsync(Patience);
}
