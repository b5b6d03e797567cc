using Akka.Actor;
using Dapper;
using MaintenanceActors.EntityFrameworkCore.Tests.Support;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.EntityFrameworkCore.Tests;

[Collection(PostgresCollection.Name)]
public sealed class DbPoolActorSpec(PostgresFixture postgres, ITestOutputHelper output) : MaintenanceTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly MaintenanceInfo Info = new("pg upgrade", "dba");

    private PostgresServer Server => postgres.Server;

    private TestPool NewPool(Action<DbPoolOptions>? configure = null)
    {
        var options = new DbPoolOptions();
        configure?.Invoke(options);
        options.Validate();
        return new TestPool(Server.ConnectionString(), $"spec-{Guid.NewGuid():N}"[..24], options);
    }

    private IActorRef StartActor(TestPool pool) => Sys.ActorOf(Props.Create(() => new DbPoolActor(pool.Pool)), pool.Pool.Name);

    private static EnterMaintenance Enter(long epoch, TimeSpan deadline) => new(epoch, DateTimeOffset.UtcNow + deadline, Info);

    private Task<int> BackendsAsync(TestPool pool) => PostgresFixture.BackendsAsync(Server, pool.ApplicationName);

    [Fact]
    public async Task Must_let_queries_running_at_Enter_finish_and_answer_Drained_after_them()
    {
        await using var pool = NewPool();
        var actor = StartActor(pool);
        var running = Task.WhenAll(pool.SleepThroughEfAsync(0.5), DapperSleepAsync(pool, 0.5));
        (await Eventually.HoldsAsync(() => pool.Pool.InUse == 2)).Should().BeTrue("both queries hold a connection");

        actor.Tell(Enter(1, Wait), TestActor);

        var done = await ExpectMsgAsync<DrainCompleted>(Wait);
        done.Outcome.Should().Be(DrainOutcome.Drained);
        done.Duration.Should().BeGreaterThan(TimeSpan.FromMilliseconds(200), "the drain waited for the half-second queries running at Enter");
        pool.Pool.InUse.Should().Be(0);
        // Their connections are back (that ended the drain); the tasks complete a moment later, and well.
        await running.WaitAsync(Wait);
    }

    [Fact]
    public async Task Must_refuse_opens_during_maintenance_at_once_with_MaintenanceException_on_both_paths()
    {
        await using var pool = NewPool();
        var actor = StartActor(pool);
        actor.Tell(Enter(1, Wait), TestActor);
        await ExpectMsgAsync<DrainCompleted>(Wait);

        var ef = await FluentActions.Awaiting(pool.SelectThroughEfAsync).Should().ThrowAsync<MaintenanceException>();
        ef.Which.Message.Should().Contain("in maintenance").And.Contain("pg upgrade");
        var started = DateTime.UtcNow;
        await FluentActions.Awaiting(async () =>
        {
            await using var connection = pool.Pool.DataSource.CreateConnection();
            await connection.QuerySingleAsync<int>("SELECT 1");
        }).Should().ThrowAsync<MaintenanceException>();
        FluentActions.Invoking(() => pool.Pool.DataSource.OpenConnection()).Should().Throw<MaintenanceException>("the synchronous path too");
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(2), "a refusal does not wait by default");

        var stats = await actor.Ask<ResourceStats>(GetResourceStats.Instance, Wait);
        stats.Counters["refused"].Should().Be(3);
        stats.Counters["in_use"].Should().Be(0);
        stats.LastDrainOutcome.Should().Be(DrainOutcome.Drained);
    }

    [Fact]
    public async Task Must_close_the_services_connections_in_pg_stat_activity_after_the_drain()
    {
        await using var pool = NewPool();
        var actor = StartActor(pool);
        // Five connections held at once leave five idle physical connections in the pool.
        var held = new List<System.Data.Common.DbConnection>();
        for (var i = 0; i < 5; i++)
        {
            held.Add(await pool.Pool.DataSource.OpenConnectionAsync());
        }
        foreach (var connection in held)
        {
            await connection.DisposeAsync();
        }
        var backends = 0;
        (await Eventually.HoldsAsync(async () => (backends = await BackendsAsync(pool)) >= 5))
            .Should().BeTrue($"the pool keeps its idle connections, but pg_stat_activity showed {backends}");
        var before = await actor.Ask<ResourceStats>(GetResourceStats.Instance, Wait);
        before.Counters["pool_idle"].Should().BeGreaterThanOrEqualTo(5, "stats read the pool from Npgsql's meter");
        var busy = pool.SleepThroughEfAsync(0.5);
        (await Eventually.HoldsAsync(() => pool.Pool.InUse == 1)).Should().BeTrue();

        actor.Tell(Enter(1, Wait), TestActor);

        (await ExpectMsgAsync<DrainCompleted>(Wait)).Outcome.Should().Be(DrainOutcome.Drained);
        await busy;
        (await Eventually.HoldsAsync(async () => await BackendsAsync(pool) == 0, TimeSpan.FromSeconds(10)))
            .Should().BeTrue("the drain closes the idle physical connections; pg_stat_activity shows none of the service's");
        var stats = await actor.Ask<ResourceStats>(GetResourceStats.Instance, Wait);
        stats.Counters.Should().Contain(new Dictionary<string, long> { ["pool_idle"] = 0, ["pool_used"] = 0, ["pool_max"] = 100 },
            "Npgsql's own meter agrees");
    }

    [Fact]
    public async Task Must_work_as_before_after_Exit()
    {
        await using var pool = NewPool();
        var actor = StartActor(pool);
        actor.Tell(Enter(1, Wait), TestActor);
        await ExpectMsgAsync<DrainCompleted>(Wait);
        await FluentActions.Awaiting(pool.SelectThroughEfAsync).Should().ThrowAsync<MaintenanceException>();

        actor.Tell(new ExitMaintenance(2), TestActor);

        (await ExpectMsgAsync<ResumeCompleted>(Wait)).Outcome.Should().Be(ResumeOutcome.Resumed);
        (await pool.SelectThroughEfAsync()).Should().Be(1);
        await using (var connection = await pool.Pool.DataSource.OpenConnectionAsync())
        {
            (await connection.QuerySingleAsync<int>("SELECT 2")).Should().Be(2);
        }
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => pool.SleepThroughEfAsync(0.01)));
        pool.Pool.InUse.Should().Be(0);
        (await BackendsAsync(pool)).Should().BeGreaterThan(0, "the pool fills again");
        var stats = await actor.Ask<ResourceStats>(GetResourceStats.Instance, Wait);
        stats.State.Should().Be(ResourceState.Running);
    }

    [Fact]
    public async Task Must_hold_opens_when_configured_to_wait_and_let_them_through_on_Exit()
    {
        await using var pool = NewPool(o => o.OpenWaitTimeout = TimeSpan.FromSeconds(15));
        var actor = StartActor(pool);
        actor.Tell(Enter(1, Wait), TestActor);
        await ExpectMsgAsync<DrainCompleted>(Wait);

        var waitingEf = pool.SelectThroughEfAsync();
        var waitingDapper = DapperSelectAsync(pool);
        (await Eventually.HoldsAsync(() => pool.Pool.Gate.GetStats().Waits == 2)).Should().BeTrue("both opens wait at the gate");
        waitingEf.IsCompleted.Should().BeFalse();
        waitingDapper.IsCompleted.Should().BeFalse();

        actor.Tell(new ExitMaintenance(2), TestActor);
        await ExpectMsgAsync<ResumeCompleted>(Wait);

        (await waitingEf.WaitAsync(Wait)).Should().Be(1);
        (await waitingDapper.WaitAsync(Wait)).Should().Be(1);
        pool.Pool.Gate.GetStats().Refused.Should().Be(0);
    }

    [Fact]
    public async Task Must_refuse_a_waiting_open_when_its_wait_ends_in_maintenance()
    {
        await using var pool = NewPool(o => o.OpenWaitTimeout = TimeSpan.FromMilliseconds(300));
        var actor = StartActor(pool);
        actor.Tell(Enter(1, Wait), TestActor);
        await ExpectMsgAsync<DrainCompleted>(Wait);

        var started = DateTime.UtcNow;
        var refused = await FluentActions.Awaiting(pool.SelectThroughEfAsync).Should().ThrowAsync<MaintenanceException>();
        (DateTime.UtcNow - started).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250));
        refused.Which.Message.Should().Contain("waited");
        pool.Pool.Gate.GetStats().Should().BeEquivalentTo(new { Waits = 1L, Refused = 1L, InUse = 0 });
    }

    [Fact]
    public async Task Must_keep_the_allowance_of_connections_and_refuse_beyond_it()
    {
        await using var pool = NewPool(o => o.Allowance = 1);
        var actor = StartActor(pool);
        await using var held = await pool.Pool.DataSource.OpenConnectionAsync();

        actor.Tell(Enter(1, Wait), TestActor);

        (await ExpectMsgAsync<DrainCompleted>(Wait)).Outcome.Should().Be(DrainOutcome.Drained, "one connection in use is within the allowance");
        (await held.QuerySingleAsync<int>("SELECT 3")).Should().Be(3, "the allowed connection keeps working");
        await FluentActions.Awaiting(pool.SelectThroughEfAsync).Should().ThrowAsync<MaintenanceException>();
        await held.CloseAsync();
        (await pool.SelectThroughEfAsync()).Should().Be(1, "once given back, the allowance admits one again");
    }

    [Fact]
    public async Task Must_time_out_with_the_connections_in_use_and_close_them_when_they_come_back()
    {
        await using var pool = NewPool();
        var actor = StartActor(pool);
        var slow = pool.SleepThroughEfAsync(1.5);
        (await Eventually.HoldsAsync(() => pool.Pool.InUse == 1)).Should().BeTrue();

        actor.Tell(Enter(1, TimeSpan.FromMilliseconds(300)), TestActor);

        var done = await ExpectMsgAsync<DrainCompleted>(Wait);
        done.Outcome.Should().Be(DrainOutcome.TimedOut);
        done.InFlightAtDeadline.Should().Be(1);
        await slow.WaitAsync(Wait);
        (await Eventually.HoldsAsync(async () => await BackendsAsync(pool) == 0, TimeSpan.FromSeconds(10)))
            .Should().BeTrue("a connection busy at the deadline is closed when it is given back");
        await FluentActions.Awaiting(pool.SelectThroughEfAsync).Should().ThrowAsync<MaintenanceException>("a timed-out drain still refuses");
    }

    [Fact]
    public async Task Must_report_a_stopped_PostgreSQL_in_health_and_the_last_result_in_maintenance()
    {
        await using var server = await PostgresServer.StartAsync();
        var options = new DbPoolOptions { HealthCheckInterval = TimeSpan.FromMilliseconds(100), HealthCheckTimeout = TimeSpan.FromSeconds(2) };
        await using var pool = new TestPool(server.ConnectionString(), "health-spec", options);
        var actor = StartActor(pool);
        (await HealthEventuallyAsync(actor, h => h.Status == ComponentHealth.Healthy && h.Detail!.StartsWith("round trip")))
            .Should().NotBeNull();

        await server.StopAsync();

        var down = await HealthEventuallyAsync(actor, h => h.Status == ComponentHealth.Unhealthy);
        down!.Detail.Should().StartWith("database unreachable:");

        actor.Tell(Enter(1, Wait), TestActor);
        await ExpectMsgAsync<DrainCompleted>(Wait);
        var openedInMaintenance = pool.Pool.Gate.GetStats().Opened;
        var inMaintenance = await actor.Ask<ResourceHealth>(GetHealth.Instance, Wait);
        inMaintenance.Status.Should().Be(ComponentHealth.Unhealthy, "the last result stands");
        inMaintenance.Detail.Should().Contain("in maintenance").And.Contain("last round trip failed");

        await server.StartAgainAsync();
        (await actor.Ask<ResourceHealth>(GetHealth.Instance, Wait)).Detail.Should().Contain("in maintenance");
        (await actor.Ask<ResourceStats>(GetResourceStats.Instance, Wait)).Counters["refused"].Should().Be(0, "no round trip even tries to open in maintenance");
        pool.Pool.Gate.GetStats().Opened.Should().Be(openedInMaintenance);

        actor.Tell(new ExitMaintenance(2), TestActor);
        await ExpectMsgAsync<ResumeCompleted>(Wait);
        (await HealthEventuallyAsync(actor, h => h.Status == ComponentHealth.Healthy)).Should().NotBeNull("the pool recovers by itself");
        (await pool.SelectThroughEfAsync()).Should().Be(1);
    }

    private async Task<ResourceHealth?> HealthEventuallyAsync(IActorRef actor, Func<ResourceHealth, bool> condition)
    {
        ResourceHealth? last = null;
        var held = await Eventually.HoldsAsync(async () =>
        {
            last = await actor.Ask<ResourceHealth>(GetHealth.Instance, Wait);
            return condition(last);
        });
        held.Should().BeTrue($"health should change, but stayed {last}");
        return last;
    }

    private static async Task DapperSleepAsync(TestPool pool, double seconds)
    {
        await using var connection = pool.Pool.DataSource.CreateConnection();
        await connection.ExecuteAsync("SELECT pg_sleep(@seconds)", new { seconds });
    }

    private static async Task<int> DapperSelectAsync(TestPool pool)
    {
        await using var connection = pool.Pool.DataSource.CreateConnection();
        return await connection.QuerySingleAsync<int>("SELECT 1");
    }
}
