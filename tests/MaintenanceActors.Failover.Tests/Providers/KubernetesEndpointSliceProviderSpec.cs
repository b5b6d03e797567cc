using Akka.TestKit;
using k8s;
using MaintenanceActors.Failover.Providers;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Failover.Tests.Providers;

/// <summary>The EndpointSlice provider with KubernetesClient 21 against <see cref="FakeKubernetesApi"/> (no Kubernetes runs here).</summary>
public sealed class KubernetesEndpointSliceProviderSpec(ITestOutputHelper output) : MaintenanceTestKit(output), IAsyncLifetime
{
    private FakeKubernetesApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeKubernetesApi.StartAsync();

    async Task IAsyncLifetime.DisposeAsync() => await _api.DisposeAsync();

    private TestProbe Start(string service)
    {
        var registry = CreateTestProbe();
        var options = new KubernetesEndpointSliceOptions { Services = [service], ReconnectMinBackoff = TimeSpan.FromMilliseconds(20) };
        Sys.ActorOf(KubernetesEndpointSliceProvider.Props(registry, options, new Kubernetes(new KubernetesClientConfiguration { Host = _api.Host })));
        return registry;
    }

    [Fact]
    public async Task Must_register_ready_endpoints_and_deregister_those_that_stop_being_ready_or_vanish()
    {
        _api.Apply(FakeKubernetesApi.Slice("users-x1", "users", 8080,
            ("users-1", "10.1.0.1", true, false), ("users-2", "10.1.0.2", false, false), ("users-3", "10.1.0.3", null, false)));
        var registry = Start("users");

        var registered = new[] { registry.ExpectMsg<RegisterEndpoint>(), registry.ExpectMsg<RegisterEndpoint>() }.Select(r => r.Endpoint).ToArray();
        registered.Select(e => e.Id).Should().BeEquivalentTo(["users/users-1", "users/users-3"], "ready unset means ready; users-2 is not ready");
        registered.Should().OnlyContain(e => e.Port == 8080 && e.Region == "zone-a");
        (await Eventually.HoldsAsync(() => _api.OpenWatches == 1)).Should().BeTrue();

        _api.Apply(FakeKubernetesApi.Slice("users-x1", "users", 8080,
            ("users-1", "10.1.0.1", true, false), ("users-2", "10.1.0.2", true, false), ("users-3", "10.1.0.3", false, true)));
        var changes = new[] { registry.ExpectMsg<object>(), registry.ExpectMsg<object>() };
        changes.OfType<RegisterEndpoint>().Single().Endpoint.Id.Should().Be("users/users-2");
        changes.OfType<DeregisterEndpoint>().Single().Should().Be(new DeregisterEndpoint("users/users-3", ProviderSources.Kubernetes));

        _api.Delete("users-x1");
        var gone = new[] { registry.ExpectMsg<DeregisterEndpoint>(), registry.ExpectMsg<DeregisterEndpoint>() };
        gone.Select(d => d.Id).Should().BeEquivalentTo(["users/users-1", "users/users-2"]);
    }

    [Fact]
    public async Task Must_list_again_and_reconcile_when_the_watch_ends()
    {
        _api.Apply(FakeKubernetesApi.Slice("orders-a", "orders", 9090, ("orders-1", "10.2.0.1", true, false)));
        var registry = Start("orders");
        registry.ExpectMsg<RegisterEndpoint>().Endpoint.Id.Should().Be("orders/orders-1");
        (await Eventually.HoldsAsync(() => _api.OpenWatches == 1)).Should().BeTrue();
        var lists = _api.Lists;

        _api.EndWatches();
        (await Eventually.HoldsAsync(() => _api.Lists > lists && _api.OpenWatches == 1)).Should().BeTrue("the provider lists and watches again");
        _api.Apply(FakeKubernetesApi.Slice("orders-b", "orders", 9090, ("orders-2", "10.2.0.2", true, false)));

        registry.ExpectMsg<RegisterEndpoint>().Endpoint.Id.Should().Be("orders/orders-2");
    }

    [Fact]
    public void Must_refuse_options_without_a_service()
    {
        var act = () => new KubernetesEndpointSliceOptions().Validate();
        act.Should().Throw<MaintenanceConfigurationException>().WithMessage("Failover:Kubernetes:Services*");
    }
}
