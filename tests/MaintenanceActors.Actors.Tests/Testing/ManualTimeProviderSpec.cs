using MaintenanceActors.Actors.TestKit;

namespace MaintenanceActors.Actors.Tests.Testing;

public sealed class ManualTimeProviderSpec
{
    [Fact]
    public void Must_move_only_when_advanced()
    {
        var start = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var clock = new ManualTimeProvider(start);

        clock.GetUtcNow().Should().Be(start);
        clock.Advance(TimeSpan.FromMinutes(3));

        clock.GetUtcNow().Should().Be(start.AddMinutes(3));
        clock.GetElapsedTime(clock.GetTimestamp() - TimeSpan.FromMinutes(1).Ticks).Should().Be(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Must_fire_due_timers_in_due_order_with_the_clock_at_their_due_time()
    {
        var clock = new ManualTimeProvider();
        var start = clock.GetUtcNow();
        var fired = new List<(string, TimeSpan)>();
        using var late = clock.CreateTimer(_ => fired.Add(("late", clock.GetUtcNow() - start)), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => fired.Add(("early", clock.GetUtcNow() - start)), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromSeconds(5));

        fired.Should().Equal(("early", TimeSpan.FromSeconds(1)), ("late", TimeSpan.FromSeconds(3)));
        clock.ActiveTimerCount.Should().Be(0);
    }

    [Fact]
    public void Must_fire_periodic_timers_repeatedly_until_disposed()
    {
        var clock = new ManualTimeProvider();
        var count = 0;
        var timer = clock.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        clock.Advance(TimeSpan.FromSeconds(6));
        count.Should().Be(3);

        timer.Dispose();
        clock.Advance(TimeSpan.FromSeconds(10));
        count.Should().Be(3);
    }

    [Fact]
    public void Must_reschedule_with_Change_and_not_fire_when_changed_to_infinite()
    {
        var clock = new ManualTimeProvider();
        var count = 0;
        using var timer = clock.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        timer.Change(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan).Should().BeTrue();
        clock.Advance(TimeSpan.FromSeconds(4));
        count.Should().Be(0);
        clock.Advance(TimeSpan.FromSeconds(1));
        count.Should().Be(1);

        timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromSeconds(10));
        count.Should().Be(1);
    }

    [Fact]
    public void Must_let_a_callback_create_timers_that_fire_within_the_same_advance()
    {
        var clock = new ManualTimeProvider();
        var fired = new List<string>();
        ITimer? second = null;
        using var first = clock.CreateTimer(_ =>
        {
            fired.Add("first");
            second = clock.CreateTimer(_ => fired.Add("second"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromSeconds(2));

        fired.Should().Equal("first", "second");
        second!.Dispose();
    }

    [Fact]
    public void Must_refuse_to_go_back_in_time()
    {
        var clock = new ManualTimeProvider();

        var back = () => clock.Advance(TimeSpan.FromSeconds(-1));
        var set = () => clock.SetUtcNow(clock.GetUtcNow().AddDays(-1));

        back.Should().Throw<ArgumentOutOfRangeException>();
        set.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Must_be_safe_to_use_from_many_threads()
    {
        var clock = new ManualTimeProvider();
        var fired = 0;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                clock.CreateTimer(_ => Interlocked.Increment(ref fired), null, TimeSpan.FromMilliseconds(i % 10), Timeout.InfiniteTimeSpan);
                clock.Advance(TimeSpan.FromMilliseconds(1));
            }
        })));
        clock.Advance(TimeSpan.FromSeconds(1));

        fired.Should().Be(2_000);
    }
}
