using System.Diagnostics;
using System.Globalization;
using Dapper;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.EntityFrameworkCore;
using MaintenanceActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MaintenanceActors.Drills.Db;

/// <summary>
/// Issue 11: from Enter (the switch flipped) to PostgreSQL showing no session of the service in <c>pg_stat_activity</c>,
/// while 16 clients run queries through the gated pool. The floor is when the work that was in flight at Enter ended
/// (the drain must wait for it), measured in the same round; the gap between the two is what the drain adds.
/// </summary>
internal sealed class DbEnterToZeroDrill : IDrill
{
    private const string App = "db-enter";
    private const int Clients = 16;

    public string Name => "db-enter";

    public string Description => "Enter → the service's PostgreSQL sessions at 0 (pg_stat_activity) under 16 clients, vs in-flight work ending (issue 11)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var rounds = settings.Size(50, 5);
        await using var server = await PostgresServer.StartAsync().ConfigureAwait(false);
        await using var raw = NpgsqlDataSource.Create(server.ConnectionString(applicationName: App) + ";Maximum Pool Size=32");
        await using var watcher = new NpgsqlConnection(server.ConnectionString(pooling: false));
        await watcher.OpenAsync(cancellationToken).ConfigureAwait(false);

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddMaintenance(m => m.AddDbPool(_ => raw, db => db.HealthCheckInterval = TimeSpan.FromHours(1)));
        using var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var maintenance = host.Services.GetRequiredService<IMaintenance>();
        var pool = host.Services.GetRequiredService<MaintenanceDbPool>();

        var load = new Load(pool);
        using var stopLoad = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(() => load.RunClientAsync(stopLoad.Token))).ToArray();

        var toZero = new List<double>();
        var workEnded = new List<double>();
        var drained = new List<double>();
        var gaps = new List<double>();
        var inFlightAtEnter = new List<int>();
        for (var round = 0; round <= rounds; round++)
        {
            await Task.Delay(Random.Shared.Next(150, 300), cancellationToken).ConfigureAwait(false);
            if (await SessionsAsync(watcher).ConfigureAwait(false) == 0)
            {
                throw new InvalidOperationException("The load holds no session before Enter: nothing to measure");
            }
            inFlightAtEnter.Add(pool.InUse);
            load.ResetLastEnd();
            var entered = Stopwatch.GetTimestamp();
            var applied = maintenance.SetMaintenanceModeAsync(true, "drill", cancellationToken)
                .ContinueWith(_ => maintenance.WaitForMaintenanceModeAsync(true, TimeSpan.FromSeconds(30)), TaskScheduler.Default).Unwrap()
                .ContinueWith(_ => Stopwatch.GetTimestamp(), TaskScheduler.Default);
            long zeroAt;
            while (true)
            {
                var count = await SessionsAsync(watcher).ConfigureAwait(false);
                if (count == 0)
                {
                    zeroAt = Stopwatch.GetTimestamp();
                    break;
                }
                if (LatencyStats.Ms(entered, Stopwatch.GetTimestamp()) > 30_000)
                {
                    throw new TimeoutException($"Round {round}: {count} sessions still open 30 s after Enter");
                }
            }
            var drainedAt = await applied.ConfigureAwait(false);
            var endedAt = load.LastEnd is var end && end > entered ? end : entered;
            if (round > 0) // round 0 warms up
            {
                toZero.Add(LatencyStats.Ms(entered, zeroAt));
                workEnded.Add(LatencyStats.Ms(entered, endedAt));
                drained.Add(LatencyStats.Ms(entered, drainedAt));
                gaps.Add(LatencyStats.Ms(endedAt, zeroAt));
            }
            await maintenance.SetMaintenanceModeAsync(false, reason: null, cancellationToken).ConfigureAwait(false);
            await maintenance.WaitForMaintenanceModeAsync(false, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        await stopLoad.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(clients).ConfigureAwait(false);
        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);

        var zero = new LatencyStats(toZero);
        var ended = new LatencyStats(workEnded);
        var drainedStats = new LatencyStats(drained);
        var gap = new LatencyStats(gaps);
        var table = new MarkdownTable("from Enter to …", "p50 ms", "p99 ms", "max ms");
        table.Add("the service's sessions in pg_stat_activity at 0", Fmt(zero.P50), Fmt(zero.P99), Fmt(zero.Max));
        table.Add("the drain answering Drained", Fmt(drainedStats.P50), Fmt(drainedStats.P99), Fmt(drainedStats.Max));
        table.Add("baseline: the last query in flight at Enter ended", Fmt(ended.P50), Fmt(ended.P99), Fmt(ended.Max));
        table.Add("gap: sessions at 0 − last query ended", Fmt(gap.P50), Fmt(gap.P99), Fmt(gap.Max));
        return new DrillReport(Name, table,
            [new TargetCheck("sessions at 0 within 100 ms of the in-flight work ending (p99 of the gap)", $"{Fmt(gap.P99)} ms", gap.P99 <= 100)],
            [$"{rounds} rounds after one warm-up; {Clients} clients loop on the gated data source (open, SELECT pg_sleep(0–20 ms), close; a refused open "
             + $"waits 5 ms), Npgsql pool max 32, PostgreSQL 15 on 127.0.0.1; {inFlightAtEnter.Skip(1).Average():0.0} connections in use at Enter on average. "
             + "Enter = IMaintenance.SetMaintenanceModeAsync(true); sessions are counted by application name from an unpooled connection in a tight loop; "
             + $"the load refused {load.Refused} opens during maintenance and none of its queries failed otherwise ({load.Failed})."]);
    }

    private static async Task<long> SessionsAsync(NpgsqlConnection watcher) =>
        await watcher.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE application_name = @app", new { app = App }).ConfigureAwait(false);

    private static string Fmt(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>The clients' loop, and when the last admitted query ended.</summary>
    private sealed class Load(MaintenanceDbPool pool)
    {
        private long _lastEnd;
        private long _refused;
        private long _failed;

        public long LastEnd => Interlocked.Read(ref _lastEnd);
        public long Refused => Interlocked.Read(ref _refused);
        public long Failed => Interlocked.Read(ref _failed);

        public void ResetLastEnd() => Interlocked.Exchange(ref _lastEnd, 0);

        public async Task RunClientAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await using (var connection = await pool.DataSource.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false))
                    {
                        await connection.ExecuteAsync("SELECT pg_sleep(@s)", new { s = Random.Shared.Next(0, 21) / 1000.0 }).ConfigureAwait(false);
                    }
                    var now = Stopwatch.GetTimestamp();
                    long seen;
                    while ((seen = Interlocked.Read(ref _lastEnd)) < now && Interlocked.CompareExchange(ref _lastEnd, now, seen) != seen)
                    {
                    }
                }
                catch (MaintenanceException)
                {
                    Interlocked.Increment(ref _refused);
                    await Task.Delay(5, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
                {
                    Interlocked.Increment(ref _failed);
                }
            }
        }
    }
}
