using MaintenanceActors.Testing;
using Dapper;
using MaintenanceActors.EntityFrameworkCore.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MaintenanceActors.EntityFrameworkCore.Tests;

/// <summary>The user's path: AddMaintenance + AddDbPool in a host, EF Core through UseMaintenanceGate, Dapper through the pool.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AddDbPoolSpec(PostgresFixture postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Must_drain_the_pool_when_the_host_enters_maintenance_and_work_again_after()
    {
        const string app = "hosted-spec";
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(postgres.Server.ConnectionString(applicationName: app)));
        builder.Services.AddMaintenance(m => m.AddDbPool(sp => sp.GetRequiredService<NpgsqlDataSource>(), db => db.ResourceName = "users-db"));
        builder.Services.AddDbContext<TestDb>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()).UseMaintenanceGate(sp));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var pool = host.Services.GetRequiredService<MaintenanceDbPool>();
            (await SelectAsync(host)).Should().Be(1);
            await using (var connection = await pool.DataSource.OpenConnectionAsync())
            {
                (await connection.QuerySingleAsync<int>("SELECT 1")).Should().Be(1);
            }
            (await PostgresFixture.BackendsAsync(postgres.Server, app)).Should().BeGreaterThan(0);

            var maintenance = host.Services.GetRequiredService<IMaintenance>();
            await maintenance.SetMaintenanceModeAsync(true, "vacuum full");
            (await maintenance.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();

            (await FluentActions.Awaiting(() => SelectAsync(host)).Should().ThrowAsync<MaintenanceException>())
                .Which.Message.Should().Contain("vacuum full");
            (await Eventually.HoldsAsync(async () => await PostgresFixture.BackendsAsync(postgres.Server, app) == 0))
                .Should().BeTrue("the service holds no connection once drained");
            var health = await maintenance.GetHealthAsync();
            health.Resources["users-db"].Detail.Should().Contain("in maintenance");

            await maintenance.SetMaintenanceModeAsync(false);
            (await maintenance.WaitForMaintenanceModeAsync(false, Wait)).Should().BeTrue();
            (await SelectAsync(host)).Should().Be(1);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<int> SelectAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDb>();
        return await db.Database.SqlQueryRaw<int>("SELECT 1 AS \"Value\"").SingleAsync();
    }
}
