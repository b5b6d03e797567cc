using MaintenanceActors.Testing;
using FluentAssertions;
using MaintenanceActors.AspNetCore.Gate;
using MaintenanceActors.AspNetCore.Tests.Fixtures;
using Xunit;

namespace MaintenanceActors.AspNetCore.Tests.Gate;

public sealed class RequestGateSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public void Must_count_admitted_served_and_refused_units()
    {
        var gate = new RequestGate("test");
        gate.TryEnter().Should().BeTrue();
        gate.TryEnter().Should().BeTrue();
        gate.Exit();
        gate.Close("upgrade");
        gate.TryEnter().Should().BeFalse();

        gate.GetStats().Should().Be(new RequestGateStats(InFlight: 1, Served: 1, Refused: 1, IsClosed: true));
        gate.Closure!.Reason.Should().Be("upgrade");
    }

    [Fact]
    public async Task Must_report_idle_at_once_when_closed_with_nothing_in_flight()
    {
        var gate = new RequestGate("test");
        gate.Close().Should().BeTrue();
        await gate.WhenIdle.WaitAsync(Patience);
        gate.WhenIdle.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task Must_report_idle_only_after_the_last_admitted_unit_exits()
    {
        var gate = new RequestGate("test");
        gate.TryEnter().Should().BeTrue();
        gate.TryEnter().Should().BeTrue();
        gate.Close();
        gate.TryEnter().Should().BeFalse("a refused unit must not count as in flight nor complete the drain");

        gate.Exit();
        gate.WhenIdle.IsCompleted.Should().BeFalse("one admitted unit still runs");
        gate.Exit();
        await gate.WhenIdle.WaitAsync(Patience);
        gate.InFlight.Should().Be(0);
    }

    [Fact]
    public async Task Must_cancel_the_idle_wait_when_reopened_before_idle_and_signal_the_next_closure_separately()
    {
        var gate = new RequestGate("test");
        gate.TryEnter().Should().BeTrue();
        gate.Close();
        var firstClosure = gate.WhenIdle;
        gate.Open().Should().BeTrue();
        await firstClosure.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<OperationCanceledException>();

        gate.TryEnter().Should().BeTrue();
        gate.Close();
        gate.Exit();
        gate.WhenIdle.IsCompleted.Should().BeFalse("the second admitted unit still runs");
        gate.Exit();
        await gate.WhenIdle.WaitAsync(Patience);
    }

    [Fact]
    public void Must_fire_the_end_signal_only_for_the_closure_it_was_asked_in()
    {
        var gate = new RequestGate("test");
        gate.Close();
        var ended = gate.EndRequested;
        gate.EndInFlight();
        ended.IsCancellationRequested.Should().BeTrue();

        gate.Open();
        gate.EndRequested.IsCancellationRequested.Should().BeFalse("units admitted after reopening start with a fresh signal");
    }

    [Fact]
    public void Must_not_allocate_on_the_admit_and_exit_path()
    {
        var gate = new RequestGate("test");
        gate.TryEnter();
        gate.Exit();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            if (gate.TryEnter())
            {
                gate.Exit();
            }
        }

        GC.GetAllocatedBytesForCurrentThread().Should().Be(before);
    }

    [Fact]
    public async Task Must_never_report_idle_while_an_admitted_unit_runs_under_concurrent_toggling()
    {
        var gate = new RequestGate("test");
        long running = 0;
        long violations = 0;
        long admitted = 0;
        using var stop = new CancellationTokenSource();

        // The workers spin without blocking: on threads of their own, not the thread pool, whose threads the awaits below
        // (and the specs running beside this one) need; three spinning pool threads on 2 cores starved them in CI.
        var workers = Enumerable.Range(0, 3).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (!gate.TryEnter())
                {
                    Thread.Yield();
                    continue;
                }

                Interlocked.Increment(ref running);
                Interlocked.Increment(ref admitted);
                Thread.SpinWait(50);
                Interlocked.Decrement(ref running);
                gate.Exit();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        for (int toggle = 0; toggle < 500; toggle++)
        {
            // Let some work in between closures, or the toggles could all run before the workers start.
            long seen = Interlocked.Read(ref admitted);
            (await Eventually.HoldsAsync(() => Interlocked.Read(ref admitted) > seen)).Should().BeTrue();
            gate.Close();
            await gate.WhenIdle.WaitAsync(Patience);

            // Idle must be stable until reopened: nothing admitted may be running now or start later.
            if (Interlocked.Read(ref running) != 0)
            {
                Interlocked.Increment(ref violations);
            }

            gate.Open();
        }

        stop.Cancel();
        await Task.WhenAll(workers).WaitAsync(Patience);
        violations.Should().Be(0);
        admitted.Should().BeGreaterThan(0);
        gate.InFlight.Should().Be(0);
    }
}
