using Akka.TestKit;
using MaintenanceActors.Failover.Providers;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Failover.Tests.Providers;

/// <summary>The Consul provider over HttpClient against <see cref="FakeConsulAgent"/> (no Consul runs here).</summary>
public sealed class ConsulHealthProviderSpec(ITestOutputHelper output) : MaintenanceTestKit(output), IAsyncLifetime
{
    private FakeConsulAgent _consul = null!;

    public async Task InitializeAsync() => _consul = await FakeConsulAgent.StartAsync();

    async Task IAsyncLifetime.DisposeAsync() => await _consul.DisposeAsync();

    private TestProbe Start(string service, string? token = null)
    {
        var registry = CreateTestProbe();
        var options = new ConsulHealthOptions
        {
            Address = _consul.Address, Services = [service], Token = token, Wait = TimeSpan.FromSeconds(5),
            ReconnectMinBackoff = TimeSpan.FromMilliseconds(50), ReconnectMaxBackoff = TimeSpan.FromSeconds(1),
        };
        // As UseConsul builds it: a query stuck on an agent going away ends with the client's timeout and is asked again.
        Sys.ActorOf(ConsulHealthProvider.Props(registry, options, new HttpClient { Timeout = options.Wait + TimeSpan.FromSeconds(2) }));
        return registry;
    }

    [Fact]
    public void Must_register_passing_instances_and_deregister_one_whose_check_turns_critical()
    {
        _consul.Put("web", "web-1", 8081);
        _consul.Put("web", "web-2", 8082, status: "critical");
        var registry = Start("web", token: "secret-token");

        var first = registry.ExpectMsg<RegisterEndpoint>();
        first.Endpoint.Should().Match<ServiceEndpoint>(e => e.Id == "web/web-1" && e.Address == "127.0.0.1" && e.Port == 8081 && e.Weight == 2
            && e.Region == "dc1" && e.Tags.Contains("v1") && e.Metadata["version"] == "1.2");
        first.Source.Should().Be(ProviderSources.Consul);
        _consul.LastToken.Should().Be("secret-token");

        _consul.Put("web", "web-2", 8082);
        registry.ExpectMsg<RegisterEndpoint>().Endpoint.Id.Should().Be("web/web-2");

        _consul.Put("web", "web-1", 8081, status: "critical");
        registry.ExpectMsg<DeregisterEndpoint>().Should().Be(new DeregisterEndpoint("web/web-1", ProviderSources.Consul));

        _consul.Remove("web", "web-2");
        registry.ExpectMsg<DeregisterEndpoint>().Id.Should().Be("web/web-2");
    }

    [Fact]
    public void Must_keep_an_instance_under_consul_maint_registered_but_in_maintenance_with_its_reason()
    {
        _consul.Put("api", "api-1", 9001);
        var registry = Start("api");
        registry.ExpectMsg<RegisterEndpoint>();

        _consul.Maintenance("api", "api-1", 9001, "rolling upgrade");
        registry.ExpectMsg<SetEndpointMaintenance>().Should().Be(new SetEndpointMaintenance("api/api-1", true, "rolling upgrade", ProviderSources.Consul));

        _consul.Put("api", "api-1", 9001);
        registry.ExpectMsg<SetEndpointMaintenance>().InMaintenance.Should().BeFalse();
    }

    [Fact]
    public async Task Must_keep_the_endpoints_while_consul_is_away_and_catch_up_when_it_is_back()
    {
        _consul.Put("cart", "cart-1", 9101);
        var registry = Start("cart");
        registry.ExpectMsg<RegisterEndpoint>();

        var port = new Uri(_consul.Address).Port;
        await _consul.DisposeAsync();
        _consul = await FakeConsulAgent.StartAsync(port);   // back with other contents (a restarted agent, its index reset)
        _consul.Put("cart", "cart-2", 9102);

        // The first thing the registry hears is the reconcile with the new answer: the failed queries meanwhile removed nothing.
        var messages = new[] { registry.ExpectMsg<object>(TimeSpan.FromSeconds(20)), registry.ExpectMsg<object>(TimeSpan.FromSeconds(20)) };
        messages.OfType<RegisterEndpoint>().Single().Endpoint.Id.Should().Be("cart/cart-2");
        messages.OfType<DeregisterEndpoint>().Single().Id.Should().Be("cart/cart-1");
    }

    [Fact]
    public void Must_refuse_an_address_that_is_not_a_url()
    {
        var act = () => new ConsulHealthOptions { Address = "consul:8500", Services = ["x"] }.Validate();
        act.Should().Throw<MaintenanceConfigurationException>().WithMessage("Failover:Consul:Address*");
    }
}
