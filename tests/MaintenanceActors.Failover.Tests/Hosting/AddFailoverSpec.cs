using Akka.Actor;
using Akka.Hosting;
using MaintenanceActors.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MaintenanceActors.Failover.Tests.Hosting;

public sealed class AddFailoverSpec
{
    [Fact]
    public async Task Must_start_the_registry_with_static_endpoints_and_providers_and_serve_the_client()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFailover(f => f
            .Configure(o => o with { Strategy = FailoverStrategy.Weighted })
            .AddStaticEndpoints(new ServiceEndpoint("users/a", "users", "127.0.0.1", 5080), new ServiceEndpoint("users/b", "users", "127.0.0.1", 5081))
            .AddProvider("fixed", (_, registry) => Props.Create(() => new OneEndpointProvider(registry))));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<IFailoverClient>();
            (await client.ListEndpointsAsync("users")).Select(e => e.Endpoint.Id).Should().Equal("users/a", "users/b");
            (await client.GetConfigAsync()).Strategy.Should().Be(FailoverStrategy.Weighted);
            (await client.SelectEndpointAsync(new FailoverRequest("users"))).Name.Should().Be("users");

            var registry = host.Services.GetRequiredService<ActorRegistry>().Get<FailoverRegistry>();
            registry.Should().Be(client.Registry);
            object fromProvider = new EndpointNotFound("orders/x");
            (await Eventually.HoldsAsync(async () =>
                (fromProvider = await registry.Ask<object>(new GetEndpoint("orders/x"), TimeSpan.FromSeconds(10))) is EndpointSnapshot)).Should().BeTrue();
            fromProvider.Should().BeOfType<EndpointSnapshot>().Which.Source.Should().Be("fixed");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Must_share_the_actor_system_of_AddMaintenance_called_first()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMaintenance(_ => { });
        builder.Services.AddFailover(f => f.AddStaticEndpoints(new ServiceEndpoint("users/a", "users", "127.0.0.1", 5080)));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<IFailoverClient>();
            (await client.ListEndpointsAsync()).Should().ContainSingle();
            client.Registry.Path.Root.Address.System.Should().Be(MaintenanceServiceCollectionExtensions.ActorSystemName);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Must_read_the_Failover_section_before_code_adjusts_it()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Failover:Strategy"] = "Geographic",
            ["Failover:RegionOrder:0"] = "eu-west",
            ["Failover:CircuitBreaker:FailureThreshold"] = "7",
            ["Failover:Retry:Delay"] = "00:00:00.250",
        });
        builder.Services.AddFailover(f => f.Configure(o => o with { Retry = o.Retry with { MaxRetries = 4 } }));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var options = await host.Services.GetRequiredService<IFailoverClient>().GetConfigAsync();
            options.Strategy.Should().Be(FailoverStrategy.Geographic);
            options.RegionOrder.Should().Equal("eu-west");
            options.CircuitBreaker.FailureThreshold.Should().Be(7);
            options.CircuitBreaker.RecoveryTimeout.Should().Be(TimeSpan.FromSeconds(30));
            options.Retry.Delay.Should().Be(TimeSpan.FromMilliseconds(250));
            options.Retry.MaxRetries.Should().Be(4);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Must_fail_the_start_naming_a_bad_configuration_value()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Failover:CircuitBreaker:FailureThreshold"] = "0" });
        builder.Services.AddFailover(_ => { });
        using var host = builder.Build();
        await host.Invoking(h => h.StartAsync()).Should().ThrowAsync<FailoverValidationException>()
            .WithMessage("Failover:CircuitBreaker:FailureThreshold must be at least 1");
    }

    [Fact]
    public void Must_refuse_invalid_settings_naming_them()
    {
        var services = new ServiceCollection();
        services.Invoking(s => s.AddFailover(f => f.AddStaticEndpoints(new ServiceEndpoint("a", "users", "127.0.0.1", 70000))))
            .Should().Throw<FailoverValidationException>().WithMessage("Failover:Static: endpoint a: Port*");
        new ServiceCollection().Invoking(s => s.AddFailover(f => f.AddProvider("bad name", (_, _) => Props.Empty)))
            .Should().Throw<FailoverValidationException>().WithMessage("*bad name*");
    }

    private sealed class OneEndpointProvider : ReceiveActor
    {
        public OneEndpointProvider(IActorRef registry)
        {
            registry.Tell(new RegisterEndpoint(new ServiceEndpoint("orders/x", "orders", "127.0.0.1", 6000), "fixed"));
            ReceiveAny(_ => { });
        }
    }
}
