using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MaintenanceActors.EntityFrameworkCore.Tests;

public sealed class DbPoolOptionsTests
{
    public static TheoryData<string, Action<DbPoolOptions>> BadValues => new()
    {
        { "Maintenance:Db:ResourceName", o => o.ResourceName = " " },
        { "Maintenance:Db:Allowance", o => o.Allowance = -1 },
        { "Maintenance:Db:OpenWaitTimeout", o => o.OpenWaitTimeout = TimeSpan.FromSeconds(-1) },
        { "Maintenance:Db:DrainTimeout", o => o.DrainTimeout = TimeSpan.Zero },
        { "Maintenance:Db:HealthCheckInterval", o => o.HealthCheckInterval = TimeSpan.Zero },
        { "Maintenance:Db:HealthCheckTimeout", o => o.HealthCheckTimeout = TimeSpan.Zero },
        { "Maintenance:Db:HealthCheckQuery", o => o.HealthCheckQuery = "" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Must_name_the_field_of_a_bad_value(string field, Action<DbPoolOptions> spoil)
    {
        var options = new DbPoolOptions();
        spoil(options);
        FluentActions.Invoking(() => options.Validate()).Should().Throw<MaintenanceConfigurationException>()
            .Which.Field.Should().Be(field);
    }

    [Fact]
    public void Must_fail_AddDbPool_at_registration_on_a_bad_value()
    {
        var services = new ServiceCollection();
        FluentActions.Invoking(() => services.AddMaintenance(m => m.AddDbPool(_ => NpgsqlDataSource.Create("Host=127.0.0.1"), o => o.Allowance = -2)))
            .Should().Throw<MaintenanceConfigurationException>().WithMessage("Maintenance:Db:Allowance must be zero or positive*");
    }

    [Fact]
    public void Must_register_the_pool_under_its_resource_name()
    {
        var services = new ServiceCollection();
        services.AddMaintenance(m => m.AddDbPool(_ => NpgsqlDataSource.Create("Host=127.0.0.1"), o => o.ResourceName = "users-db"));
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredKeyedService<MaintenanceDbPool>("users-db").Should().BeSameAs(provider.GetRequiredService<MaintenanceDbPool>());
        provider.GetRequiredService<MaintenanceDbPool>().Name.Should().Be("users-db");
    }
}
