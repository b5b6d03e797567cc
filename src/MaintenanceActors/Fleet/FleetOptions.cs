using System.Reflection;
using MaintenanceActors.Fleet;

namespace MaintenanceActors;

/// <summary>
/// This instance's place in a fleet, bound from <c>Maintenance:Fleet</c>: the service it belongs to, its own id, and how it publishes
/// its status. With a service set, the etcd source also watches the instance's own key and the instance publishes its status.
/// </summary>
public sealed class FleetOptions
{
    /// <summary>The configuration section below <c>Maintenance</c>.</summary>
    public const string SectionName = "Fleet";

    /// <summary>The service name, e.g. <c>orders</c>: the service-wide key is <c>/maintenance/orders</c>. Required.</summary>
    public string? Service { get; set; }

    /// <summary>This instance's id (default: the host name): its key is <c>/maintenance/&lt;service&gt;/instances/&lt;id&gt;</c>.</summary>
    public string InstanceId { get; set; } = Environment.MachineName;

    /// <summary>Publish this instance's status under <c>/maintenance-status/&lt;service&gt;/&lt;id&gt;</c> on a lease (default true).</summary>
    public bool PublishStatus { get; set; } = true;

    /// <summary>TTL of the status key's lease (default 10 s, whole seconds, at least 2 s): a dead instance's status vanishes this long after its last keep-alive.</summary>
    public TimeSpan StatusTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the status is refreshed while a drain or resume runs (default 500 ms); every transition is written at once.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The version shown in the status (default: the entry assembly's informational version).</summary>
    public string? Version { get; set; } = DefaultVersion();

    /// <summary>The host name shown in the status (default: the machine name).</summary>
    public string Host { get; set; } = Environment.MachineName;

    /// <summary>Source name of the watcher of the instance's own key (default "etcd-instance"; the service-wide key keeps the etcd source's name).</summary>
    public string InstanceSourceName { get; set; } = "etcd-instance";

    /// <summary>The instance's own maintenance key, below <paramref name="serviceKey"/> (the etcd source's key).</summary>
    public string InstanceKey(string serviceKey) => FleetKeys.InstanceKeyUnder(serviceKey, InstanceId);

    /// <summary>Checks every field; throws <see cref="MaintenanceConfigurationException"/> naming the first bad one.</summary>
    public void Validate(string section = MaintenanceOptions.SectionName + ":" + SectionName)
    {
        if (string.IsNullOrWhiteSpace(Service) || !FleetKeys.IsValidName(Service))
        {
            throw new MaintenanceConfigurationException($"{section}:Service",
                $"must name the service with letters, digits, '-', '_' or '.' (e.g. orders), but was '{Service}'");
        }
        if (string.IsNullOrWhiteSpace(InstanceId) || !FleetKeys.IsValidName(InstanceId))
        {
            throw new MaintenanceConfigurationException($"{section}:InstanceId",
                $"must name this instance with letters, digits, '-', '_' or '.' (e.g. orders-1; default: the host name), but was '{InstanceId}'");
        }
        if (StatusTtl < TimeSpan.FromSeconds(2) || StatusTtl.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new MaintenanceConfigurationException($"{section}:StatusTtl", $"must be whole seconds, at least 2 (e.g. 00:00:10), but was {StatusTtl}");
        }
        MaintenanceOptions.Positive(StatusInterval, $"{section}:StatusInterval", "e.g. 00:00:00.500");
        if (string.IsNullOrWhiteSpace(InstanceSourceName))
        {
            throw new MaintenanceConfigurationException($"{section}:InstanceSourceName", "must not be empty (e.g. etcd-instance)");
        }
    }

    private static string? DefaultVersion()
    {
        var assembly = Assembly.GetEntryAssembly();
        var version = assembly?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly?.GetName().Version?.ToString();
        // Drop the "+commit" build metadata the SDK appends.
        return version?.Split('+')[0];
    }
}
