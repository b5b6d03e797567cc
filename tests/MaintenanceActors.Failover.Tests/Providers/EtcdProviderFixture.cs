using MaintenanceActors.Etcd;
using MaintenanceActors.Failover.Providers;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Failover.Tests.Providers;

/// <summary>One real etcd for the etcd provider specs; each spec uses its own service names, so they do not see each other's keys.</summary>
public sealed class EtcdProviderFixture : IAsyncLifetime
{
    public EtcdServer Etcd { get; private set; } = null!;

    public EtcdTestWriter Writer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Etcd = await EtcdServer.StartAsync(new EtcdServerOptions { ExtraArguments = ["--experimental-watch-progress-notify-interval", "200ms"] });
        Writer = new EtcdTestWriter(Etcd.CreateClient());
    }

    public async Task DisposeAsync()
    {
        await Writer.DisposeAsync();
        await Etcd.DisposeAsync();
    }

    /// <summary>Provider settings for this etcd (or for <paramref name="endpoint"/>, e.g. a relay in front of it), following only <paramref name="services"/>.</summary>
    public EtcdDiscoveryOptions Options(string? endpoint = null, params string[] services) => new()
    {
        Endpoints = [endpoint ?? Etcd.Endpoint],
        Services = services.ToList(),
        ReconnectMinBackoff = TimeSpan.FromMilliseconds(50),
        ReconnectMaxBackoff = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>A watch backend over a fresh client for <paramref name="options"/>.</summary>
    internal static IEtcdWatchBackend Backend(EtcdDiscoveryOptions options)
    {
        var source = options.ToSourceOptions(options.ServicesPrefix);
        return new EtcdClientBackend(EtcdClientFactory.Create(source), source);
    }
}
