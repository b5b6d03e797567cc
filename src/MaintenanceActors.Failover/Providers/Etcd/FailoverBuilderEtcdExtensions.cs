using System.Collections.Concurrent;
using dotnet_etcd;
using MaintenanceActors.Etcd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MaintenanceActors.Failover.Providers;

/// <summary>Adds the etcd providers to <c>services.AddFailover(f => ...)</c>.</summary>
public static class FailoverBuilderEtcdExtensions
{
    /// <summary>
    /// Endpoints registered in etcd under <see cref="EtcdDiscoveryOptions.ServicesPrefix"/> (provider <c>etcd</c>) and their
    /// maintenance keys under <see cref="EtcdDiscoveryOptions.MaintenancePrefix"/> (provider <c>etcd-maintenance</c>).
    /// </summary>
    public static FailoverBuilder UseEtcd(this FailoverBuilder builder, Action<EtcdDiscoveryOptions> configure) =>
        builder.UseEtcdRegistrations(configure).UseEtcdMaintenance(configure);

    /// <summary>Only the endpoints registered in etcd (provider <c>etcd</c>), without their maintenance keys.</summary>
    public static FailoverBuilder UseEtcdRegistrations(this FailoverBuilder builder, Action<EtcdDiscoveryOptions> configure)
    {
        var options = Build(builder, configure);
        return builder.AddProvider("etcd", (sp, registry) =>
            EtcdRegistrationProvider.Props(registry, options, sp.GetRequiredService<EtcdDiscoveryClients>().BackendFor(options)));
    }

    /// <summary>
    /// Only the maintenance keys (provider <c>etcd-maintenance</c>): endpoints from any provider (static, Kubernetes, Consul)
    /// whose id is <c>{name}/{instanceId}</c> leave selection while <c>/maintenance/{name}</c> or
    /// <c>/maintenance/{name}/instances/{instanceId}</c> is on.
    /// </summary>
    public static FailoverBuilder UseEtcdMaintenance(this FailoverBuilder builder, Action<EtcdDiscoveryOptions> configure)
    {
        var options = Build(builder, configure);
        return builder.AddProvider("etcd-maintenance", (sp, registry) =>
            EtcdMaintenanceProvider.Props(registry, options, sp.GetRequiredService<EtcdDiscoveryClients>().BackendFor(options)));
    }

    private static EtcdDiscoveryOptions Build(FailoverBuilder builder, Action<EtcdDiscoveryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new EtcdDiscoveryOptions();
        configure(options);
        options.Validate();
        builder.Services.TryAddSingleton<EtcdDiscoveryClients>();
        return options;
    }
}

/// <summary>The etcd clients of the providers, one per distinct connection, disposed with the container.</summary>
internal sealed class EtcdDiscoveryClients : IDisposable
{
    private readonly ConcurrentDictionary<string, (EtcdClient Client, IEtcdWatchBackend Backend)> _clients = new(StringComparer.Ordinal);

    public IEtcdWatchBackend BackendFor(EtcdDiscoveryOptions options)
    {
        var key = string.Join('|', options.Endpoints) + '|' + options.Username + '|' + options.CaCertificatePath + '|' + options.ClientCertificatePath;
        return _clients.GetOrAdd(key, _ =>
        {
            var source = options.ToSourceOptions(options.ServicesPrefix);
            var client = EtcdClientFactory.Create(source);
            return (client, new EtcdClientBackend(client, source));
        }).Backend;
    }

    public void Dispose()
    {
        foreach (var (client, _) in _clients.Values)
        {
            client.Dispose();
        }
        _clients.Clear();
    }
}
