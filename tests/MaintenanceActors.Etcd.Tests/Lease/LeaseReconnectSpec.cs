using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests.Lease;

public sealed class LeaseReconnectSpec : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private EtcdServer etcd = null!;

    public async Task InitializeAsync() => etcd = await EtcdServer.StartAsync();

    public async Task DisposeAsync() => await etcd.DisposeAsync();

    [Fact]
    public async Task Must_keep_renewing_a_lease_across_an_etcd_restart()
    {
        await using var client = etcd.CreateClient();
        var lease = await client.LeaseGrantAsync(6);
        await client.PutAsync("/lease-restart/key", "kept", lease.ID);
        await using var keepAlive = client.KeepAlive(lease.ID, 6);
        await Poll.UntilAsync(() => keepAlive.Renewals >= 1, Patience);

        await etcd.RestartAsync();
        var before = keepAlive.Renewals;

        await Poll.UntilAsync(() => keepAlive.Renewals > before, Patience);
        keepAlive.Completion.IsCompleted.Should().BeFalse();
        (await client.GetAsync("/lease-restart/key"))!.Lease.Should().Be(lease.ID);
    }
}
