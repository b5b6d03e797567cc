using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MaintenanceActors.EntityFrameworkCore.Tests;

public sealed class DbPoolOptionsTests
{
    [Theory]
    [InlineData("ResourceName")]
    [InlineData("Allowance")]
    [InlineData("OpenWaitTimeout")]
    [InlineData("DrainTimeout")]
    [InlineData("HealthCheckInterval")]
    [InlineData("HealthCheckTimeout")]
    [InlineData("HealthCheckQuery")]
    public void Must_name_the_field_of_a_bad_value(string field)
    {
        var options = new DbPoolOptions();
        switch (field)
        {
            case "ResourceName": options.ResourceName = " "; break;
            case "Allowance": options.Allowance = -1; break;
            case "OpenWaitTimeout": options.OpenWaitTimeout = TimeSpan.FromSeconds(-1); break;
            case "DrainTimeout": options.DrainTimeout = TimeSpan.Zero; break;
            case "HealthCheckInterval": options.HealthCheckInterval = TimeSpan.Zero; break;
            case "HealthCheckTimeout": options.HealthCheckTimeout = TimeSpan.Zero; break;
            case "HealthCheckQuery": options.HealthCheckQuery = ""; break;
        }
        FluentActions.Invoking(() => options.Validate()).Should().Throw<MaintenanceConfigurationException>()
            .Which.Field.Should().Be("Maintenance:Db:" + field);
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
