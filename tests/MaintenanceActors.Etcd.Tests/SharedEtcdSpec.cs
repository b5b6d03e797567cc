using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests;

/// <summary>Base for specs on the shared etcd: a fresh client per test and a key prefix no other test writes under.</summary>
public abstract class SharedEtcdSpec(EtcdServer etcd, string area) : IAsyncLifetime
{
    /// <summary>Prefix for every key the test writes, so tests sharing the etcd never see each other's keys.</summary>
    protected string Prefix { get; } = SharedEtcd.UniquePrefix(area);

    /// <summary>Client on the shared etcd, created before each test and disposed after it.</summary>
    protected EtcdClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Client = etcd.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Client.DisposeAsync();
}
