using Akka.Actor;
using MaintenanceActors.Etcd;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Failover.Providers;

/// <summary>
/// Takes instances out of selection while their maintenance key is on: <c>{MaintenancePrefix}{name}</c> covers every instance
/// of the service (<see cref="SetServiceMaintenance"/>), <c>{MaintenancePrefix}{name}/instances/{instanceId}</c> the endpoint
/// <c>{name}/{instanceId}</c> (<see cref="SetEndpointMaintenance"/>). The registry is told as soon as the watch event arrives
/// and remembers the flag for endpoints that register later, whichever provider registers them.
/// </summary>
/// <remarks>
/// Values are read with the core's <see cref="MaintenanceValueParser"/> (GoMaint's words, or JSON with a reason); a malformed
/// value changes nothing and is logged with key, revision and field. After a compaction the whole prefix is read again and a
/// key that vanished meanwhile counts as off.
/// </remarks>
internal sealed class EtcdMaintenanceProvider : EtcdPrefixWatchActor
{
    private const string InstancesSegment = "/instances/";

    private readonly IActorRef _registry;
    private readonly EtcdDiscoveryOptions _options;
    private readonly Dictionary<string, bool> _on = new(StringComparer.Ordinal);   // by key: what the registry was last told

    public EtcdMaintenanceProvider(IActorRef registry, EtcdDiscoveryOptions options, IEtcdWatchBackend backend)
        : base(backend, options.MaintenancePrefix, options.ReconnectMinBackoff, options.ReconnectMaxBackoff)
    {
        _registry = registry;
        _options = options;
        // The registry answers MaintenanceApplied; nothing here waits for it.
        ReceiveAny(_ => { });
    }

    public static Props Props(IActorRef registry, EtcdDiscoveryOptions options, IEtcdWatchBackend backend) =>
        Akka.Actor.Props.Create(() => new EtcdMaintenanceProvider(registry, options, backend));

    protected override void OnSnapshot(IReadOnlyList<EtcdEntry> entries, long revision)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            present.Add(entry.Key);
            Apply(entry.Key, entry.Value, entry.ModRevision);
        }
        foreach (var key in _on.Keys.Where(k => !present.Contains(k)).ToArray())
        {
            Apply(key, null, revision);
        }
    }

    protected override void OnChange(EtcdChange change) => Apply(change.Key, change.Value, change.ModRevision);

    private void Apply(string key, byte[]? value, long revision)
    {
        if (ParseKey(key) is not { } target)
        {
            return;
        }
        var parsed = value is null ? MaintenanceValue.Off : MaintenanceValueParser.Parse(value, key, revision);
        if (parsed.IsMalformed)
        {
            // A typo must not put instances in (or out of) maintenance: only a valid value changes what the registry knows.
            Log.LogWarning("{Warning}", parsed.Warning);
            return;
        }
        var reason = parsed.Info?.Reason;
        if (target.InstanceId is null)
        {
            _registry.Tell(new SetServiceMaintenance(target.Service, parsed.Enabled, reason, ProviderSources.Maintenance), Self);
        }
        else
        {
            _registry.Tell(new SetEndpointMaintenance($"{target.Service}/{target.InstanceId}", parsed.Enabled, reason, ProviderSources.Maintenance), Self);
        }
        var was = _on.TryGetValue(key, out var before) && before;
        if (was != parsed.Enabled)
        {
            Log.LogInformation("{Target} {State} maintenance ({Key} at revision {Revision}, reason {Reason})",
                target.InstanceId is null ? $"service {target.Service}" : $"instance {target.Service}/{target.InstanceId}",
                parsed.Enabled ? "entered" : "left", key, revision, reason ?? "(none)");
        }
        if (value is null)
        {
            _on.Remove(key);
        }
        else
        {
            _on[key] = parsed.Enabled;
        }
    }

    private (string Service, string? InstanceId)? ParseKey(string key)
    {
        var rest = key[_options.MaintenancePrefix.Length..];
        string service;
        string? instance = null;
        var marker = rest.IndexOf(InstancesSegment, StringComparison.Ordinal);
        if (marker < 0)
        {
            if (rest.Length == 0 || rest.Contains('/'))
            {
                return null;
            }
            service = rest;
        }
        else
        {
            service = rest[..marker];
            instance = rest[(marker + InstancesSegment.Length)..];
            if (service.Length == 0 || service.Contains('/') || instance.Length == 0 || instance.Contains('/'))
            {
                return null;
            }
        }
        return _options.Services.Count > 0 && !_options.Services.Contains(service, StringComparer.Ordinal) ? null : (service, instance);
    }
}
