using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.TestKit;
using MaintenanceActors.Failover.Providers;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Failover.Tests.Providers;

public sealed class EtcdRegistrationProviderSpec(EtcdProviderFixture fixture, ITestOutputHelper output)
    : MaintenanceTestKit(output), IClassFixture<EtcdProviderFixture>
{
    private static string Json(int port, int weight = 1) => new InstanceRegistration("127.0.0.1", port) { Weight = weight, Region = "eu" }.ToJson();

    private (TestProbe Registry, IActorRef Provider) Start(EtcdDiscoveryOptions options)
    {
        var registry = CreateTestProbe();
        var provider = Sys.ActorOf(EtcdRegistrationProvider.Props(registry, options, EtcdProviderFixture.Backend(options)));
        return (registry, provider);
    }

    [Fact]
    public async Task Must_register_what_is_already_there_and_then_follow_puts_updates_and_deletes()
    {
        await fixture.Writer.PutAsync("/services/orders/a", Json(7001, weight: 3));
        var (registry, _) = Start(fixture.Options(services: "orders"));

        var first = registry.ExpectMsg<RegisterEndpoint>();
        first.Source.Should().Be(ProviderSources.Etcd);
        first.Endpoint.Should().Match<ServiceEndpoint>(e => e.Id == "orders/a" && e.Name == "orders" && e.Port == 7001 && e.Weight == 3 && e.Region == "eu");

        await fixture.Writer.PutAsync("/services/orders/b", Json(7002));
        registry.ExpectMsg<RegisterEndpoint>().Endpoint.Id.Should().Be("orders/b");

        await fixture.Writer.PutAsync("/services/orders/a", Json(7011));
        registry.ExpectMsg<UpdateEndpoint>().Endpoint.Should().Match<ServiceEndpoint>(e => e.Id == "orders/a" && e.Port == 7011);

        await fixture.Writer.DeleteAsync("/services/orders/b");
        registry.ExpectMsg<DeregisterEndpoint>().Should().Be(new DeregisterEndpoint("orders/b", ProviderSources.Etcd));
    }

    [Fact]
    public async Task Must_deregister_an_instance_when_its_lease_runs_out()
    {
        var (registry, _) = Start(fixture.Options(services: "payments"));
        var granted = await fixture.Etcd.EtcdCtlAsync("lease", "grant", "2");
        var lease = Regex.Match(granted, "lease ([0-9a-f]+) granted").Groups[1].Value;
        await fixture.Etcd.EtcdCtlAsync("put", "--lease=" + lease, "/services/payments/p1", Json(7101));

        registry.ExpectMsg<RegisterEndpoint>().Endpoint.Id.Should().Be("payments/p1");
        // Nobody keeps the lease alive: it runs out as it would for a dead instance.
        registry.ExpectMsg<DeregisterEndpoint>(TimeSpan.FromSeconds(15)).Id.Should().Be("payments/p1");
    }

    [Fact]
    public async Task Must_keep_an_endpoint_as_it_was_when_its_new_value_is_not_a_registration()
    {
        var (registry, _) = Start(fixture.Options(services: "billing"));
        await fixture.Writer.PutAsync("/services/billing/x", Json(7201));
        registry.ExpectMsg<RegisterEndpoint>();

        await fixture.Writer.PutAsync("/services/billing/x", "{\"address\":\"127.0.0.1\",\"port\":99999}");
        await fixture.Writer.PutAsync("/services/billing/y", "not json");
        await fixture.Writer.PutAsync("/services/billing/z", Json(7203));

        // Neither bad value produced a message: the next one is z's registration.
        registry.ExpectMsg<RegisterEndpoint>().Endpoint.Id.Should().Be("billing/z");
    }

    [Fact]
    public async Task Must_catch_up_on_changes_made_while_it_was_cut_off_from_etcd()
    {
        await using var relay = new TcpProxy(fixture.Etcd.ClientPort);
        await fixture.Writer.PutAsync("/services/search/s1", Json(7301));
        await fixture.Writer.PutAsync("/services/search/s2", Json(7302));
        var (registry, provider) = Start(fixture.Options(relay.Endpoint, "search"));
        registry.ExpectMsg<RegisterEndpoint>();
        registry.ExpectMsg<RegisterEndpoint>();
        await WaitUntilWatchingAsync(provider);

        relay.Cut();
        (await Eventually.HoldsAsync(async () => !(await provider.Ask<EtcdProviderStatus>(GetEtcdProviderStatus.Instance)).Connected))
            .Should().BeTrue("the provider notices the lost connection");
        await fixture.Writer.DeleteAsync("/services/search/s1");
        await fixture.Writer.PutAsync("/services/search/s3", Json(7303));
        relay.Restore();

        registry.ExpectMsg<DeregisterEndpoint>().Id.Should().Be("search/s1");
        registry.ExpectMsg<RegisterEndpoint>().Endpoint.Id.Should().Be("search/s3");
    }

    [Fact]
    public async Task Must_reconcile_from_a_fresh_read_when_the_revision_to_resume_from_was_compacted()
    {
        await using var relay = new TcpProxy(fixture.Etcd.ClientPort);
        await fixture.Writer.PutAsync("/services/mail/m1", Json(7401));
        var (registry, provider) = Start(fixture.Options(relay.Endpoint, "mail"));
        registry.ExpectMsg<RegisterEndpoint>();
        await WaitUntilWatchingAsync(provider);

        relay.Cut();
        (await Eventually.HoldsAsync(async () => !(await provider.Ask<EtcdProviderStatus>(GetEtcdProviderStatus.Instance)).Connected))
            .Should().BeTrue();
        await fixture.Writer.DeleteAsync("/services/mail/m1");
        var last = await fixture.Writer.PutAsync("/services/mail/m2", Json(7402));
        await fixture.Writer.CompactAsync(last);
        relay.Restore();

        var messages = new[] { registry.ExpectMsg<object>(), registry.ExpectMsg<object>() };
        messages.Should().ContainEquivalentOf(new DeregisterEndpoint("mail/m1", ProviderSources.Etcd));
        messages.OfType<RegisterEndpoint>().Single().Endpoint.Id.Should().Be("mail/m2");
    }

    [Fact]
    public async Task Must_register_an_instance_through_the_helper_and_see_it_vanish_when_the_helper_is_disposed()
    {
        var options = fixture.Options(services: "users");
        var (registry, _) = Start(options);
        var registration = await EtcdServiceRegistration.StartAsync(options, "users", "u1", new InstanceRegistration("127.0.0.1", 7501),
            ttl: TimeSpan.FromSeconds(2));

        registry.ExpectMsg<RegisterEndpoint>().Endpoint.Should().Match<ServiceEndpoint>(e => e.Id == "users/u1" && e.Port == 7501);
        // Kept alive past several TTLs: no deregistration meanwhile.
        var ttl = await fixture.Etcd.EtcdCtlAsync("lease", "timetolive", registration.LeaseId.ToString("x"));
        ttl.Should().Contain("remaining");
        registry.ExpectNoMsg(TimeSpan.FromSeconds(3));

        await registration.DisposeAsync();
        registry.ExpectMsg<DeregisterEndpoint>().Id.Should().Be("users/u1");
    }

    [Fact]
    public async Task Must_register_again_on_a_new_lease_when_the_helpers_lease_is_lost()
    {
        var options = fixture.Options(services: "profiles");
        var (registry, _) = Start(options);
        await using var registration = await EtcdServiceRegistration.StartAsync(options, "profiles", "p1", new InstanceRegistration("127.0.0.1", 7601),
            ttl: TimeSpan.FromSeconds(2));
        registry.ExpectMsg<RegisterEndpoint>();
        var lost = registration.LeaseId;

        // As if etcd had dropped the lease while the instance could not reach it: the key goes with it.
        await fixture.Etcd.EtcdCtlAsync("lease", "revoke", lost.ToString("x"));

        registry.ExpectMsg<DeregisterEndpoint>().Id.Should().Be("profiles/p1");
        registry.ExpectMsg<RegisterEndpoint>(TimeSpan.FromSeconds(15)).Endpoint.Id.Should().Be("profiles/p1");
        registration.LeaseId.Should().NotBe(lost);
    }

    private static async Task WaitUntilWatchingAsync(IActorRef provider) =>
        (await Eventually.HoldsAsync(async () => (await provider.Ask<EtcdProviderStatus>(GetEtcdProviderStatus.Instance)).Connected))
            .Should().BeTrue("the provider connects");
}
