using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.EntityFrameworkCore;
using MaintenanceActors.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MaintenanceActors.Drills.Db;

/// <summary>
/// Issue 11: CRUD throughput through the database gate versus without it, for EF Core (the interceptor) and Dapper (the
/// gated data source), against a throwaway PostgreSQL 15. Rounds alternate the order so drift in the machine's load hits
/// both sides alike. One op = an insert and a select by id, each on a connection taken from the pool and given back.
/// </summary>
internal sealed class DbGateOverheadDrill : IDrill
{
    public string Name => "db-overhead";

    public string Description => "CRUD ops/s with the database gate ÷ without, EF Core and Dapper on PostgreSQL 15 (issue 11)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var rounds = settings.Size(6, 1);
        var ops = settings.Size(1500, 100);
        await using var server = await PostgresServer.StartAsync().ConfigureAwait(false);
        await using var raw = NpgsqlDataSource.Create(server.ConnectionString(applicationName: "db-overhead"));
        await using (var connection = await raw.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await connection.ExecuteAsync("CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, email text NOT NULL)").ConfigureAwait(false);
        }
        var pool = new MaintenanceDbPool(raw, new DbPoolOptions());
        var plainEf = new DbContextOptionsBuilder<DrillDb>().UseNpgsql(raw).Options;
        var gatedEf = new DbContextOptionsBuilder<DrillDb>().UseNpgsql(raw).AddInterceptors(pool.Interceptor).Options;

        var sides = new (string Name, Func<int, Task> Op)[]
        {
            ("EF Core", i => EfOpAsync(plainEf, i)), ("EF Core gated", i => EfOpAsync(gatedEf, i)),
            ("Dapper", i => DapperOpAsync(raw, i)), ("Dapper gated", i => DapperOpAsync(pool.DataSource, i)),
        };
        foreach (var side in sides)
        {
            await MeasureAsync(side.Op, settings.Size(300, 20)).ConfigureAwait(false); // JIT, pool and plan caches
        }

        var table = new MarkdownTable("round", "EF Core ops/s", "EF Core gated ops/s", "ratio", "Dapper ops/s", "Dapper gated ops/s", "ratio");
        double efPlain = 0, efGated = 0, dapperPlain = 0, dapperGated = 0;
        for (var round = 1; round <= rounds; round++)
        {
            var gateFirst = round % 2 == 1;
            var (ep, eg) = await PairAsync(sides[0].Op, sides[1].Op, ops, gateFirst).ConfigureAwait(false);
            var (dp, dg) = await PairAsync(sides[2].Op, sides[3].Op, ops, gateFirst).ConfigureAwait(false);
            efPlain += ep;
            efGated += eg;
            dapperPlain += dp;
            dapperGated += dg;
            table.Add(round.ToString(CultureInfo.InvariantCulture), Rate(ep), Rate(eg), LatencyStats.Ratio(eg / ep), Rate(dp), Rate(dg), LatencyStats.Ratio(dg / dp));
        }
        var efRatio = efGated / efPlain;
        var dapperRatio = dapperGated / dapperPlain;
        table.Add("all (ratio of sums)", Rate(efPlain / rounds), Rate(efGated / rounds), LatencyStats.Ratio(efRatio),
            Rate(dapperPlain / rounds), Rate(dapperGated / rounds), LatencyStats.Ratio(dapperRatio));
        if (pool.InUse != 0 || pool.Gate.GetStats().Opened == 0)
        {
            throw new InvalidOperationException($"The gate saw {pool.Gate.GetStats()}: the gated sides did not pass it");
        }
        return new DrillReport(Name, table,
            [
                new TargetCheck("EF Core gated ÷ without ≥ 0.97 (ratio of sums)", LatencyStats.Ratio(efRatio), efRatio >= 0.97),
                new TargetCheck("Dapper gated ÷ without ≥ 0.97 (ratio of sums)", LatencyStats.Ratio(dapperRatio), dapperRatio >= 0.97),
            ],
            [$"{ops} ops per side per round, {rounds} rounds, sequential on one client; PostgreSQL 15 (fsync off) on 127.0.0.1 in its own "
             + "processes on the same cores. One op = INSERT … RETURNING id, then SELECT by id, each opening and closing a pooled connection "
             + "(a new DbContext per statement for EF Core)."]);
    }

    private static async Task<(double Plain, double Gated)> PairAsync(Func<int, Task> plain, Func<int, Task> gated, int ops, bool gateFirst)
    {
        if (gateFirst)
        {
            var g = await MeasureAsync(gated, ops).ConfigureAwait(false);
            return (await MeasureAsync(plain, ops).ConfigureAwait(false), g);
        }
        var p = await MeasureAsync(plain, ops).ConfigureAwait(false);
        return (p, await MeasureAsync(gated, ops).ConfigureAwait(false));
    }

    private static async Task<double> MeasureAsync(Func<int, Task> op, int count)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await op(i).ConfigureAwait(false);
        }
        return count / watch.Elapsed.TotalSeconds;
    }

    private static async Task EfOpAsync(DbContextOptions<DrillDb> options, int i)
    {
        long id;
        await using (var db = new DrillDb(options))
        {
            var user = new DrillUser { Name = "u", Email = $"u{i}@example.com" };
            db.Users.Add(user);
            await db.SaveChangesAsync().ConfigureAwait(false);
            id = user.Id;
        }
        await using (var db = new DrillDb(options))
        {
            _ = await db.Users.AsNoTracking().SingleAsync(u => u.Id == id).ConfigureAwait(false);
        }
    }

    private static async Task DapperOpAsync(DbDataSource source, int i)
    {
        long id;
        await using (var connection = source.CreateConnection())
        {
            id = await connection.QuerySingleAsync<long>("INSERT INTO users (name, email) VALUES ('u', @email) RETURNING id", new { email = $"u{i}@example.com" })
                .ConfigureAwait(false);
        }
        await using (var connection = source.CreateConnection())
        {
            _ = await connection.QuerySingleAsync<string>("SELECT email FROM users WHERE id = @id", new { id }).ConfigureAwait(false);
        }
    }

    private static string Rate(double value) => value.ToString("0", CultureInfo.InvariantCulture);
}

internal sealed class DrillUser
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
}

internal sealed class DrillDb(DbContextOptions<DrillDb> options) : DbContext(options)
{
    public DbSet<DrillUser> Users => Set<DrillUser>();

    protected override void OnModelCreating(ModelBuilder model) => model.Entity<DrillUser>(user =>
    {
        user.ToTable("users");
        user.Property(u => u.Id).HasColumnName("id");
        user.Property(u => u.Name).HasColumnName("name");
        user.Property(u => u.Email).HasColumnName("email");
    });
}
