using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MaintenanceActors.EntityFrameworkCore.Tests.Support;

/// <summary>An empty model: the specs only run raw SQL through EF Core's connection handling.</summary>
internal sealed class TestDb(DbContextOptions<TestDb> options) : DbContext(options);

/// <summary>An Npgsql data source with a unique application name, gated by a <see cref="MaintenanceDbPool"/>, for one spec.</summary>
internal sealed class TestPool : IAsyncDisposable
{
    public TestPool(string connectionStringWithoutApp, string applicationName, DbPoolOptions options)
    {
        ApplicationName = applicationName;
        Npgsql = NpgsqlDataSource.Create($"{connectionStringWithoutApp};Application Name={applicationName}");
        Pool = new MaintenanceDbPool(Npgsql, options);
        EfOptions = new DbContextOptionsBuilder<TestDb>().UseNpgsql(Npgsql).AddInterceptors(Pool.Interceptor).Options;
    }

    public string ApplicationName { get; }

    public NpgsqlDataSource Npgsql { get; }

    public MaintenanceDbPool Pool { get; }

    public DbContextOptions<TestDb> EfOptions { get; }

    public TestDb NewContext() => new(EfOptions);

    /// <summary>Runs <c>pg_sleep</c> through EF Core (one connection held for its length).</summary>
    public async Task SleepThroughEfAsync(double seconds)
    {
        await using var db = NewContext();
        await db.Database.ExecuteSqlAsync($"SELECT pg_sleep({seconds})");
    }

    /// <summary>A query through EF Core that needs a connection.</summary>
    public async Task<int> SelectThroughEfAsync()
    {
        await using var db = NewContext();
        return await db.Database.SqlQueryRaw<int>("SELECT 1 AS \"Value\"").SingleAsync();
    }

    public ValueTask DisposeAsync() => Npgsql.DisposeAsync();
}
