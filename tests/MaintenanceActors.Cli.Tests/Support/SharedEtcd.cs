using MaintenanceActors.Testing;

namespace MaintenanceActors.Cli.Tests.Support;

/// <summary>One real etcd for the specs of a collection; each spec uses its own service names, so they do not see each other.</summary>
public sealed class SharedEtcd : IAsyncLifetime
{
    private static int _next;

    public EtcdServer Server { get; private set; } = null!;

    public EtcdTestWriter Writer { get; private set; } = null!;

    /// <summary>The endpoint as etcdctl takes it (host:port).</summary>
    public string Endpoint => $"127.0.0.1:{Server.ClientPort}";

    /// <summary>A service name no other spec in this run uses.</summary>
    public static string NewService(string stem) => $"{stem}-{Interlocked.Increment(ref _next)}";

    public async Task InitializeAsync()
    {
        Server = await EtcdServer.StartAsync();
        Writer = new EtcdTestWriter(Server.CreateClient());
    }

    public async Task DisposeAsync()
    {
        await Writer.DisposeAsync();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class EtcdCollection : ICollectionFixture<SharedEtcd>
{
    public const string Name = "etcd";
}
