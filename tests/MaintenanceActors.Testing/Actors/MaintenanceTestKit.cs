using Akka.Configuration;
using Akka.TestKit;
using Xunit.Abstractions;

namespace MaintenanceActors.Testing;

/// <summary>
/// Akka.TestKit for the maintenance specs: expectations wait up to 15 s by default (the shared 2-core machine is slow
/// at times; a passing spec never waits that long), and the maintenance actors' logs go to the test output.
/// </summary>
public abstract class MaintenanceTestKit : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>What every spec's actor system starts from.</summary>
    public static readonly Config BaseConfig = ConfigurationFactory.ParseString("""
        akka.test.single-expect-default = 15s
        akka.test.default-timeout = 15s
        akka.loglevel = INFO
        akka.log-dead-letters = off
        """);

    protected MaintenanceTestKit(ITestOutputHelper? output = null, Config? config = null)
        : base((config ?? Config.Empty).WithFallback(BaseConfig), output: output)
    {
        if (output is not null)
        {
            MaintenanceRuntime.For(Sys).UseLoggerFactory(new XunitLoggerFactory(output));
        }
    }
}

/// <summary>
/// A <see cref="MaintenanceTestKit"/> whose actor system runs on Akka's <see cref="TestScheduler"/>: timers fire and
/// the maintenance actors' clock moves only when a spec calls <see cref="VirtualTime.Advance"/>. (An Ask's own timeout
/// still runs on real time.)
/// </summary>
public abstract class VirtualClockTestKit : MaintenanceTestKit
{
    protected VirtualClockTestKit(ITestOutputHelper? output = null)
        : base(output, ConfigurationFactory.ParseString("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\""))
    {
        MaintenanceRuntime.For(Sys).UseVirtualTime();
        Time = new VirtualTime((TestScheduler)Sys.Scheduler);
    }

    /// <summary>The actor system's clock.</summary>
    protected VirtualTime Time { get; }
}

/// <summary>The virtual clock of a <see cref="VirtualClockTestKit"/>.</summary>
public sealed class VirtualTime(TestScheduler scheduler)
{
    /// <summary>Moves the clock and fires every timer that falls due, in order. Advance in steps to fire a periodic timer more than once.</summary>
    public void Advance(TimeSpan by) => scheduler.Advance(by);

    /// <summary>The current virtual time.</summary>
    public DateTimeOffset GetUtcNow() => scheduler.Now;

    /// <summary>The current virtual time.</summary>
    public DateTimeOffset UtcNow => scheduler.Now;

    private static readonly System.Reflection.FieldInfo WorkField =
        typeof(TestScheduler).GetField("_scheduledWork", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
        ?? throw new InvalidOperationException("Akka.TestKit's TestScheduler no longer keeps _scheduledWork; update VirtualTime.PendingCount");

    /// <summary>
    /// Timers and scheduled messages waiting for the clock (cancelled ones excluded), so a spec can wait until an actor has
    /// scheduled something before it advances. TestScheduler keeps this private, hence the reflection.
    /// </summary>
    public int PendingCount
    {
        get
        {
            var count = 0;
            foreach (var entry in (System.Collections.IEnumerable)WorkField.GetValue(scheduler)!)
            {
                var queue = (System.Collections.IEnumerable)entry.GetType().GetProperty("Value")!.GetValue(entry)!;
                foreach (var item in queue)
                {
                    var cancelable = (Akka.Actor.ICancelable?)item.GetType().GetProperty("Cancelable")!.GetValue(item);
                    if (cancelable is null || !cancelable.IsCancellationRequested)
                    {
                        count++;
                    }
                }
            }
            return count;
        }
    }
}
