using MaintenanceActors.Etcd;

namespace MaintenanceActors;

/// <summary>Where the etcd maintenance key lives and how the watcher reconnects; bound from <c>Maintenance:Etcd</c>.</summary>
public sealed class EtcdSourceOptions
{
    /// <summary>The configuration section below <c>Maintenance</c>.</summary>
    public const string SectionName = "Etcd";

    /// <summary>
    /// etcd endpoints as etcdctl takes them, e.g. <c>127.0.0.1:2379</c> or <c>http://127.0.0.1:2379</c>; a bare <c>host:port</c> means
    /// https when a CA or client certificate is set, http otherwise (the etcd client's rules). Required.
    /// </summary>
    public List<string> Endpoints { get; set; } = new();

    /// <summary>The key (or key prefix when <see cref="Prefix"/> is set), e.g. <c>/maintenance/my-service</c>. Required.</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>Watch every key under <see cref="Key"/> instead of the key alone (default false).</summary>
    public bool Prefix { get; set; }

    /// <summary>Name of this source in events, status and health (default "etcd").</summary>
    public string SourceName { get; set; } = "etcd";

    /// <summary>User name for etcd authentication; set together with <see cref="Password"/> or not at all.</summary>
    public string? Username { get; set; }

    /// <summary>Password for etcd authentication.</summary>
    public string? Password { get; set; }

    /// <summary>PEM file of the CA that signed etcd's certificate (https endpoints); null = the system's trust store.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>PEM client certificate for mutual TLS; set together with <see cref="ClientKeyPath"/>.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificatePath"/>.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>First reconnect delay after a failure (default 200 ms), doubled per attempt.</summary>
    public TimeSpan ReconnectMinBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest reconnect delay (default 10 s).</summary>
    public TimeSpan ReconnectMaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Random spread of each reconnect delay, 0 to 1 (default 0.2 = ±20 %).</summary>
    public double ReconnectJitter { get; set; } = 0.2;

    /// <summary>Values larger than this are rejected with a warning and the last state is kept (default 64 KiB).</summary>
    public int MaxValueBytes { get; set; } = 64 * 1024;

    /// <summary>Ask etcd for progress notifications so the resume revision advances while idle (default true).</summary>
    public bool ProgressNotify { get; set; } = true;

    /// <summary>
    /// Endpoints as the etcd client will dial them (bare host:port read as https when TLS files are set, else http); an entry may hold
    /// several, comma-separated; duplicates are dialled once.
    /// </summary>
    public IReadOnlyList<Uri> EndpointUris() => EndpointEntries().Select(ParseEndpoint).Distinct().ToArray();

    /// <summary>Splits a comma-separated endpoint list such as <c>127.0.0.1:2379,http://host:2379</c>.</summary>
    public static List<string> SplitEndpoints(string? value) => EtcdEndpoints.Split(value);

    private IEnumerable<string> EndpointEntries() => Endpoints.SelectMany(EtcdEndpoints.Split);

    /// <summary>A copy that watches <paramref name="key"/> alone under the source name <paramref name="sourceName"/>.</summary>
    internal EtcdSourceOptions ForKey(string key, string sourceName)
    {
        var copy = (EtcdSourceOptions)MemberwiseClone();
        copy.Endpoints = new List<string>(Endpoints);
        copy.Key = key;
        copy.Prefix = false;
        copy.SourceName = sourceName;
        return copy;
    }

    private bool UsesTls => !string.IsNullOrEmpty(CaCertificatePath) || !string.IsNullOrEmpty(ClientCertificatePath);

    /// <summary>Checks every field; throws <see cref="MaintenanceConfigurationException"/> naming the first bad one.</summary>
    public void Validate(string section = MaintenanceOptions.SectionName + ":" + SectionName)
    {
        if (!EndpointEntries().Any())
        {
            throw new MaintenanceConfigurationException($"{section}:Endpoints", "must name at least one endpoint (e.g. http://127.0.0.1:2379)");
        }
        foreach (var endpoint in EndpointEntries())
        {
            if (!EtcdEndpoints.TryNormalize(endpoint, UsesTls, out _, out var problem))
            {
                throw new MaintenanceConfigurationException($"{section}:Endpoints",
                    $"contains '{endpoint}', which is not an endpoint ({problem}); use http://host:port, https://host:port or host:port");
            }
        }
        if (string.IsNullOrWhiteSpace(Key))
        {
            throw new MaintenanceConfigurationException($"{section}:Key", "must name the maintenance key (e.g. /maintenance/my-service)");
        }
        if (string.IsNullOrWhiteSpace(SourceName))
        {
            throw new MaintenanceConfigurationException($"{section}:SourceName", "must not be empty (e.g. etcd)");
        }
        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            throw new MaintenanceConfigurationException(
                string.IsNullOrEmpty(Username) ? $"{section}:Username" : $"{section}:Password",
                "must be set together with the other: give both Username and Password, or neither");
        }
        if (string.IsNullOrEmpty(ClientCertificatePath) != string.IsNullOrEmpty(ClientKeyPath))
        {
            throw new MaintenanceConfigurationException(
                string.IsNullOrEmpty(ClientCertificatePath) ? $"{section}:ClientCertificatePath" : $"{section}:ClientKeyPath",
                "must be set together with the other: give both ClientCertificatePath and ClientKeyPath, or neither");
        }
        foreach (var (field, file) in new[] { ("CaCertificatePath", CaCertificatePath), ("ClientCertificatePath", ClientCertificatePath), ("ClientKeyPath", ClientKeyPath) })
        {
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
            {
                throw new MaintenanceConfigurationException($"{section}:{field}", $"names '{file}', which does not exist; give the path of a PEM file");
            }
        }
        if (EndpointUris().Select(u => u.Scheme).Distinct().Count() > 1)
        {
            // The etcd client dials every endpoint over one channel with one kind of credentials.
            throw new MaintenanceConfigurationException($"{section}:Endpoints",
                "mixes http:// and https:// endpoints; the etcd client uses one transport for all of them: use https for every endpoint or for none");
        }
        MaintenanceOptions.Positive(ReconnectMinBackoff, $"{section}:ReconnectMinBackoff", "e.g. 00:00:00.200");
        MaintenanceOptions.Positive(ReconnectMaxBackoff, $"{section}:ReconnectMaxBackoff", "e.g. 00:00:10");
        if (ReconnectMaxBackoff < ReconnectMinBackoff)
        {
            throw new MaintenanceConfigurationException($"{section}:ReconnectMaxBackoff", "must not be shorter than ReconnectMinBackoff");
        }
        if (double.IsNaN(ReconnectJitter) || ReconnectJitter < 0 || ReconnectJitter > 1)
        {
            throw new MaintenanceConfigurationException($"{section}:ReconnectJitter", $"must be between 0 and 1 (e.g. 0.2), but was {ReconnectJitter}");
        }
        if (MaxValueBytes <= 0)
        {
            throw new MaintenanceConfigurationException($"{section}:MaxValueBytes", $"must be positive (e.g. 65536), but was {MaxValueBytes}");
        }
    }

    private Uri ParseEndpoint(string endpoint) =>
        EtcdEndpoints.TryNormalize(endpoint, UsesTls, out var uri, out var problem) ? uri : throw new MaintenanceConfigurationException(
            $"{MaintenanceOptions.SectionName}:{SectionName}:Endpoints", $"contains '{endpoint}', which is not an endpoint ({problem})");
}
