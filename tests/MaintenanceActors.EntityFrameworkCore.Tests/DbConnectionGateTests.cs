namespace MaintenanceActors.EntityFrameworkCore.Tests;

public sealed class DbConnectionGateTests
{
    [Fact]
    public async Task Must_count_connections_in_use_exactly_under_concurrency()
    {
        var gate = new DbConnectionGate("db", allowance: 0, TimeSpan.Zero);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                await gate.EnterAsync(CancellationToken.None);
                gate.Exit();
            }
        })));
        gate.GetStats().Should().BeEquivalentTo(new { InUse = 0, Opened = 16_000L, Refused = 0L, Waits = 0L });
    }

    [Fact]
    public async Task Must_admit_up_to_the_allowance_when_closed_and_everything_when_open_again()
    {
        var gate = new DbConnectionGate("db", allowance: 2, TimeSpan.Zero);
        gate.Close("reason");
        gate.Enter();
        await gate.EnterAsync(CancellationToken.None);
        FluentActions.Invoking(gate.Enter).Should().Throw<MaintenanceException>().WithMessage("*'db'*reason*");

        gate.Open();
        gate.Enter();
        gate.InUse.Should().Be(3);
    }

    [Fact]
    public async Task Must_complete_the_drain_wait_only_when_in_use_is_within_the_allowance()
    {
        var gate = new DbConnectionGate("db", allowance: 1, TimeSpan.Zero);
        gate.Enter();
        gate.Enter();
        gate.Close(null);
        var within = gate.WhenWithinAllowanceAsync(CancellationToken.None);
        within.IsCompleted.Should().BeFalse();

        gate.Exit();

        await within.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Must_let_a_waiting_open_in_when_a_connection_is_given_back()
    {
        var gate = new DbConnectionGate("db", allowance: 1, TimeSpan.FromSeconds(10));
        gate.Enter();
        gate.Close(null);
        var waiting = gate.EnterAsync(CancellationToken.None).AsTask();
        waiting.IsCompleted.Should().BeFalse();

        gate.Exit();

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        gate.GetStats().Should().BeEquivalentTo(new { InUse = 1, Waits = 1L, Refused = 0L });
    }
}
