using Akka.Actor;
using MaintenanceActors.Etcd;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Failover.Providers;

/// <summary>
/// Feeds the registry from etcd: every <c>{ServicesPrefix}{name}/{instanceId}</c> key is an endpoint with id
/// <c>{name}/{instanceId}</c>; a put registers or updates it, a delete (or the lease of a dead instance running out)
/// deregisters it. After a compaction the whole prefix is read again and endpoints that vanished meanwhile are removed.
/// </summary>
internal sealed class EtcdRegistrationProvider : EtcdPrefixWatchActor
{
    private readonly IActorRef _registry;
    private readonly EtcdDiscoveryOptions _options;
    private readonly Dictionary<string, ServiceEndpoint> _known = new(StringComparer.Ordinal);

    public EtcdRegistrationProvider(IActorRef registry, EtcdDiscoveryOptions options, IEtcdWatchBackend backend)
        : base(backend, options.ServicesPrefix, options.ReconnectMinBackoff, options.ReconnectMaxBackoff)
    {
        _registry = registry;
        _options = options;
        // The registry may answer what it is told; nothing here waits for it.
        ReceiveAny(_ => { });
    }

    public static Props Props(IActorRef registry, EtcdDiscoveryOptions options, IEtcdWatchBackend backend) =>
        Akka.Actor.Props.Create(() => new EtcdRegistrationProvider(registry, options, backend));

    protected override void OnSnapshot(IReadOnlyList<EtcdEntry> entries, long revision)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (Apply(entry.Key, entry.Value, entry.ModRevision) is { } id)
            {
                present.Add(id);
            }
        }
        foreach (var id in _known.Keys.Where(id => !present.Contains(id)).ToArray())
        {
            Remove(id, revision);
        }
    }

    protected override void OnChange(EtcdChange change)
    {
        if (change.Value is not null)
        {
            Apply(change.Key, change.Value, change.ModRevision);
        }
        else if (ParseKey(change.Key) is { } key)
        {
            Remove(key.Id, change.ModRevision);
        }
    }

    private string? Apply(string key, byte[] value, long revision)
    {
        if (ParseKey(key) is not { } parsed)
        {
            return null;
        }
        if (!InstanceRegistration.TryParse(value, out var registration, out var problem))
        {
            // A value that cannot be used changes nothing: an endpoint already known stays as it was.
            Log.LogWarning("Registration {Key} at revision {Revision} is not usable ({Problem}); kept what was known", key, revision, problem);
            return _known.ContainsKey(parsed.Id) ? parsed.Id : null;
        }
        var now = Context.System.Clock().GetUtcNow();
        var endpoint = new ServiceEndpoint(parsed.Id, parsed.Name, registration!.Address, registration.Port)
        {
            Protocol = registration.Protocol,
            Weight = registration.Weight,
            Priority = registration.Priority,
            Region = registration.Region,
            Tags = registration.Tags,
            Metadata = registration.Metadata,
            CreatedAt = _known.TryGetValue(parsed.Id, out var before) ? before.CreatedAt : now,
            UpdatedAt = now,
        };
        if (before is null)
        {
            _registry.Tell(new RegisterEndpoint(endpoint, ProviderSources.Etcd), Self);
            Log.LogInformation("Registered {Id} at {Address}:{Port} from etcd revision {Revision}", endpoint.Id, endpoint.Address, endpoint.Port, revision);
        }
        else if (!SameTarget(before, endpoint))
        {
            _registry.Tell(new UpdateEndpoint(endpoint, ProviderSources.Etcd), Self);
            Log.LogInformation("Updated {Id} to {Address}:{Port} from etcd revision {Revision}", endpoint.Id, endpoint.Address, endpoint.Port, revision);
        }
        else
        {
            return parsed.Id;
        }
        _known[parsed.Id] = endpoint;
        return parsed.Id;
    }

    private void Remove(string id, long revision)
    {
        if (_known.Remove(id))
        {
            _registry.Tell(new DeregisterEndpoint(id, ProviderSources.Etcd), Self);
            Log.LogInformation("Deregistered {Id}: its key is gone at etcd revision {Revision}", id, revision);
        }
    }

    private (string Id, string Name)? ParseKey(string key)
    {
        var rest = key[_options.ServicesPrefix.Length..];
        var slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1)
        {
            return null;
        }
        var name = rest[..slash];
        if (_options.Services.Count > 0 && !_options.Services.Contains(name, StringComparer.Ordinal))
        {
            return null;
        }
        return (rest, name);
    }

    private static bool SameTarget(ServiceEndpoint a, ServiceEndpoint b) =>
        a.Address == b.Address && a.Port == b.Port && a.Protocol == b.Protocol && a.Weight == b.Weight && a.Priority == b.Priority
        && a.Region == b.Region && a.Tags.SequenceEqual(b.Tags)
        && a.Metadata.Count == b.Metadata.Count && a.Metadata.All(kv => b.Metadata.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
