using MaintenanceActors.Grpc;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests.Lease;

[Collection(SharedEtcd.Name)]
public sealed class LeaseSpec(EtcdServer etcd) : SharedEtcdSpec(etcd, "lease")
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Must_grant_a_lease_and_report_its_ttl_and_keys()
    {
        var lease = await Client.LeaseGrantAsync(30);
        await Client.PutAsync(Prefix + "leased", "v", lease.ID);

        var ttl = await Client.LeaseTimeToLiveAsync(lease.ID, includeKeys: true);

        lease.ID.Should().NotBe(0);
        lease.TTL.Should().Be(30);
        ttl.GrantedTTL.Should().Be(30);
        ttl.TTL.Should().BeInRange(1, 30);
        ttl.Keys.Select(k => k.ToStringUtf8()).Should().Equal(Prefix + "leased");
        (await Client.GetAsync(Prefix + "leased"))!.Lease.Should().Be(lease.ID);
    }

    [Fact]
    public async Task Must_renew_a_lease_once_over_the_keep_alive_stream()
    {
        var lease = await Client.LeaseGrantAsync(30);

        var ttl = await Client.LeaseKeepAliveOnceAsync(lease.ID);

        ttl.Should().Be(30);
    }

    [Fact]
    public async Task Must_let_go_of_keep_alives_that_have_ended()
    {
        var lease = await Client.LeaseGrantAsync(30);

        for (var i = 0; i < 3; i++)
        {
            var keepAlive = Client.KeepAlive(lease.ID, 30);
            await keepAlive.DisposeAsync();
        }

        // The client holds every keep-alive it must stop on disposal; ended ones would pile up for its lifetime.
        Client.RunningKeepAliveCount.Should().Be(0);
    }

    [Fact]
    public async Task Must_delete_the_keys_of_a_revoked_lease()
    {
        var lease = await Client.LeaseGrantAsync(30);
        await Client.PutAsync(Prefix + "a", "1", lease.ID);
        await Client.PutAsync(Prefix + "b", "2", lease.ID);

        await Client.LeaseRevokeAsync(lease.ID);

        (await Client.GetPrefixAsync(Prefix)).Should().BeEmpty();
        (await Client.LeaseTimeToLiveAsync(lease.ID)).TTL.Should().Be(-1);
        var renew = () => Client.LeaseKeepAliveOnceAsync(lease.ID);
        (await renew.Should().ThrowAsync<EtcdException>()).Which.StatusCode.Should().Be(GrpcStatusCode.NotFound);
    }

    [Fact]
    public async Task Must_keep_a_short_lease_alive_in_the_background_and_report_when_it_is_revoked()
    {
        var lease = await Client.LeaseGrantAsync(2);
        await Client.PutAsync(Prefix + "alive", "yes", lease.ID);
        await using var keepAlive = Client.KeepAlive(lease.ID, 2);

        // Renewals every TTL/3: three of them span longer than the 2 s TTL, so the key outlived its first TTL.
        await Poll.UntilAsync(() => keepAlive.Renewals >= 4, Patience);
        (await Client.GetAsync(Prefix + "alive")).Should().NotBeNull();

        await Client.LeaseRevokeAsync(lease.ID);

        var completion = () => keepAlive.Completion.WaitAsync(Patience);
        (await completion.Should().ThrowAsync<EtcdException>()).Which.StatusCode.Should().Be(GrpcStatusCode.NotFound);
    }
}
