using MaintenanceActors.Etcd;

namespace MaintenanceActors.Failover.Providers;

/// <summary>Where the etcd providers find registrations and maintenance keys, and how they reach etcd.</summary>
/// <remarks>
/// Registrations are <c>{ServicesPrefix}{name}/{instanceId}</c> holding the instance's JSON (written on a lease by
/// <see cref="EtcdServiceRegistration"/>); maintenance is <c>{MaintenancePrefix}{name}</c> for the whole service and
/// <c>{MaintenancePrefix}{name}/instances/{instanceId}</c> for one instance, read with <see cref="MaintenanceValueParser"/>.
/// </remarks>
public sealed class EtcdDiscoveryOptions
{
    /// <summary>etcd endpoints as etcdctl takes them (<c>127.0.0.1:2379</c> or <c>http://host:2379</c>). Required.</summary>
    public List<string> Endpoints { get; set; } = new();

    /// <summary>Prefix of the registration keys (default <c>/services/</c>).</summary>
    public string ServicesPrefix { get; set; } = "/services/";

    /// <summary>Prefix of the maintenance keys (default <c>/maintenance/</c>).</summary>
    public string MaintenancePrefix { get; set; } = "/maintenance/";

    /// <summary>Only these services are followed; empty (default) follows every service under the prefixes.</summary>
    public List<string> Services { get; set; } = new();

    /// <summary>etcd user name; set together with <see cref="Password"/> or not at all.</summary>
    public string? Username { get; set; }

    /// <summary>etcd password.</summary>
    public string? Password { get; set; }

    /// <summary>PEM file of the CA that signed etcd's certificate (https endpoints).</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>PEM client certificate for mutual TLS; set together with <see cref="ClientKeyPath"/>.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificatePath"/>.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>First reconnect delay after a lost watch (default 200 ms), doubled per attempt.</summary>
    public TimeSpan ReconnectMinBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest reconnect delay (default 5 s).</summary>
    public TimeSpan ReconnectMaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks every field; throws <see cref="MaintenanceConfigurationException"/> naming the first bad one.</summary>
    public void Validate(string section = "Failover:Etcd")
    {
        foreach (var (field, prefix) in new[] { ("ServicesPrefix", ServicesPrefix), ("MaintenancePrefix", MaintenancePrefix) })
        {
            if (string.IsNullOrWhiteSpace(prefix) || !prefix.EndsWith('/'))
            {
                throw new MaintenanceConfigurationException($"{section}:{field}", $"must be a key prefix ending in '/' (e.g. /services/), not '{prefix}'");
            }
        }
        ToSourceOptions(ServicesPrefix).Validate(section);
        if (Services.Any(s => string.IsNullOrWhiteSpace(s) || s.Contains('/')))
        {
            throw new MaintenanceConfigurationException($"{section}:Services", "must hold service names without '/' (e.g. users-service)");
        }
    }

    /// <summary>The core's etcd settings for a watch of <paramref name="prefix"/>, so the client is built the one way the library builds it.</summary>
    internal EtcdSourceOptions ToSourceOptions(string prefix) => new()
    {
        Endpoints = Endpoints,
        Key = prefix,
        Prefix = true,
        Username = Username,
        Password = Password,
        CaCertificatePath = CaCertificatePath,
        ClientCertificatePath = ClientCertificatePath,
        ClientKeyPath = ClientKeyPath,
        ReconnectMinBackoff = ReconnectMinBackoff,
        ReconnectMaxBackoff = ReconnectMaxBackoff,
    };
}
