using FluentAssertions;
using MaintenanceActors.AspNetCore.Grpc;
using MaintenanceActors.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace MaintenanceActors.AspNetCore.Tests.Http;

public sealed class DrainOptionsSpec
{
    [Fact]
    public void Should_have_working_defaults()
    {
        var http = new HttpDrainOptions();
        var grpc = new GrpcDrainOptions();

        http.Invoking(o => o.Validate()).Should().NotThrow();
        grpc.Invoking(o => o.Validate()).Should().NotThrow();
        http.SkipPathPrefixes.Should().Contain(["/health", "/metrics"]);
        http.DefaultRetryAfter.Should().Be(TimeSpan.FromSeconds(30));
        http.ResourceName.Should().Be("http");
        grpc.ResourceName.Should().Be("grpc");
        grpc.EnableHealthService.Should().BeTrue();
    }

    [Theory]
    [InlineData("skip", "Maintenance:Http:SkipPaths")]
    [InlineData("retry", "Maintenance:Http:DefaultRetryAfter")]
    [InlineData("readiness", "Maintenance:Http:ReadinessDelay")]
    [InlineData("timeout", "Maintenance:Http:DrainTimeout")]
    public void Must_name_the_bad_http_field(string bad, string field)
    {
        var options = new HttpDrainOptions();
        switch (bad)
        {
            case "skip": options.SkipPaths.Add("health"); break;
            case "retry": options.DefaultRetryAfter = TimeSpan.FromSeconds(-1); break;
            case "readiness": options.ReadinessDelay = TimeSpan.FromSeconds(-1); break;
            case "timeout": options.DrainTimeout = TimeSpan.Zero; break;
        }

        options.Invoking(o => o.Validate()).Should().Throw<MaintenanceConfigurationException>().Which.Field.Should().Be(field);
    }

    [Fact]
    public void Must_name_a_skip_method_that_is_not_a_full_method_path()
    {
        var options = new GrpcDrainOptions();
        options.SkipMethods.Add("Check");

        options.Invoking(o => o.Validate()).Should().Throw<MaintenanceConfigurationException>()
            .WithMessage("Maintenance:Grpc:SkipMethods*/package.Service/Method*");
    }

    [Fact]
    public void Must_fail_at_registration_rather_than_at_the_first_maintenance()
    {
        var services = new ServiceCollection();

        var register = () => services.AddMaintenance(m => m.AddGrpcDrain(o => o.EndCallsAfter = TimeSpan.FromSeconds(-5)));

        register.Should().Throw<MaintenanceConfigurationException>().Which.Field.Should().Be("Maintenance:Grpc:EndCallsAfter");
    }
}
