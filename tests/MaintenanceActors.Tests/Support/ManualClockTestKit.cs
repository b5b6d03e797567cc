using MaintenanceActors.Actors.TestKit;

namespace MaintenanceActors.Tests.Support;

/// <summary>TestKit whose actor system runs on a manual clock starting at a fixed instant, so time passes only when a test advances it.</summary>
public abstract class ManualClockTestKit(Xunit.Abstractions.ITestOutputHelper? output = null)
    : TestKit(timeProvider: new ManualTimeProvider(StartsAt), output: output)
{
    /// <summary>Where every spec's clock starts, so timestamps in failures read the same from run to run.</summary>
    public static readonly DateTimeOffset StartsAt = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);

    /// <summary>The actor system's clock.</summary>
    protected ManualTimeProvider Time => (ManualTimeProvider)Sys.TimeProvider;
}
