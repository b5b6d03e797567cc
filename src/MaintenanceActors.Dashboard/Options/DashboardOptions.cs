using System.Net;

namespace MaintenanceActors.Dashboard;

/// <summary>Where the dashboard reads the fleet from, where it listens and who may change state through it.</summary>
public sealed class DashboardOptions
{
    /// <summary>The configuration section name, <c>Dashboard</c>; field names in error messages start with it.</summary>
    public const string SectionName = "Dashboard";

    /// <summary>The environment variable read for <see cref="AuthToken"/> when it is not set.</summary>
    public const string TokenEnvironmentVariable = "MAINTCTL_DASHBOARD_TOKEN";

    /// <summary>Default <see cref="Port"/>: 8090.</summary>
    public const int DefaultPort = 8090;

    /// <summary>etcd endpoints as etcdctl takes them (<c>127.0.0.1:2379</c>, <c>http://host:2379</c>, comma-separated allowed). Required.</summary>
    public List<string> Endpoints { get; set; } = new();

    /// <summary>etcd user name; set together with <see cref="Password"/> or not at all.</summary>
    public string? Username { get; set; }

    /// <summary>etcd password.</summary>
    public string? Password { get; set; }

    /// <summary>PEM file of the CA that signed etcd's certificate (https endpoints); null = the system's trust store.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>PEM client certificate for mutual TLS with etcd; set together with <see cref="ClientKeyPath"/>.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificatePath"/>.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>TCP port <see cref="MaintenanceDashboard.RunAsync"/> listens on (default 8090).</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>
    /// The address <see cref="MaintenanceDashboard.RunAsync"/> binds (default <c>127.0.0.1</c>, loopback only); an IP address,
    /// <c>localhost</c>, or <c>0.0.0.0</c> / <c>::</c> for every interface.
    /// </summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// The token a write must carry in the <c>X-Maintenance-Token</c> header. Null: <c>MAINTCTL_DASHBOARD_TOKEN</c>, else a random
    /// token generated at start and printed once with the URL.
    /// </summary>
    public string? AuthToken { get; set; }

    /// <summary>Prefix of the maintenance keys (default <c>/maintenance/</c>): <c>&lt;prefix&gt;&lt;service&gt;</c> and <c>&lt;prefix&gt;&lt;service&gt;/instances/&lt;id&gt;</c>.</summary>
    public string MaintenancePrefix { get; set; } = "/maintenance/";

    /// <summary>Prefix of the instance status keys (default <c>/maintenance-status/</c>): <c>&lt;prefix&gt;&lt;service&gt;/&lt;id&gt;</c>.</summary>
    public string StatusPrefix { get; set; } = "/maintenance-status/";

    /// <summary>Who the dashboard's writes name in <c>by</c> when the request names nobody (default <c>$USER@$HOSTNAME</c>).</summary>
    public string By { get; set; } = DefaultBy();

    /// <summary>How many transitions the server keeps for the timeline of a newly opened page (default 500).</summary>
    public int TimelineCapacity { get; set; } = 500;

    /// <summary>How often an idle event stream carries a comment, so proxies and browsers keep it open (default 15 s).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Where <see cref="MaintenanceDashboard.RunAsync"/> prints the URL (and a generated token) once; default standard output.</summary>
    public TextWriter? Output { get; set; }

    /// <summary>Takes etcd's endpoints, credentials and TLS files from <paramref name="etcd"/> (e.g. what a CLI built from etcdctl's flags and variables).</summary>
    public DashboardOptions UseEtcd(EtcdSourceOptions etcd)
    {
        ArgumentNullException.ThrowIfNull(etcd);
        Endpoints = etcd.Endpoints.ToList();
        Username = etcd.Username;
        Password = etcd.Password;
        CaCertificatePath = etcd.CaCertificatePath;
        ClientCertificatePath = etcd.ClientCertificatePath;
        ClientKeyPath = etcd.ClientKeyPath;
        return this;
    }

    /// <summary>Checks every field; throws <see cref="MaintenanceConfigurationException"/> naming the first bad one.</summary>
    public void Validate()
    {
        ToEtcdOptions().Validate($"{SectionName}:Etcd");
        if (Port is < 1 or > 65535)
        {
            throw new MaintenanceConfigurationException($"{SectionName}:Port", $"must be a TCP port between 1 and 65535 (e.g. {DefaultPort}), but was {Port}");
        }
        if (!TryParseBindAddress(BindAddress, out _))
        {
            throw new MaintenanceConfigurationException($"{SectionName}:BindAddress",
                $"is '{BindAddress}', which is not an IP address; use 127.0.0.1 (loopback, the default), localhost, ::1, or 0.0.0.0 for every interface");
        }
        if (AuthToken is not null && AuthToken.Trim().Length < 16)
        {
            throw new MaintenanceConfigurationException($"{SectionName}:AuthToken",
                "must be at least 16 characters (or leave it unset to have one generated at start)");
        }
        CheckPrefix(MaintenancePrefix, nameof(MaintenancePrefix), "/maintenance/");
        CheckPrefix(StatusPrefix, nameof(StatusPrefix), "/maintenance-status/");
        if (MaintenancePrefix.StartsWith(StatusPrefix, StringComparison.Ordinal) || StatusPrefix.StartsWith(MaintenancePrefix, StringComparison.Ordinal))
        {
            throw new MaintenanceConfigurationException($"{SectionName}:StatusPrefix",
                $"is '{StatusPrefix}', which overlaps MaintenancePrefix '{MaintenancePrefix}'; status and maintenance keys need separate prefixes");
        }
        if (string.IsNullOrWhiteSpace(By))
        {
            throw new MaintenanceConfigurationException($"{SectionName}:By", "must name who writes (e.g. alice@ops-host)");
        }
        if (TimelineCapacity < 1)
        {
            throw new MaintenanceConfigurationException($"{SectionName}:TimelineCapacity", $"must be positive (e.g. 500), but was {TimelineCapacity}");
        }
        MaintenanceOptions.Positive(KeepAliveInterval, $"{SectionName}:KeepAliveInterval", "e.g. 00:00:15");
    }

    /// <summary>The etcd settings in the form the core's client factory takes; the key is the watched common prefix.</summary>
    internal EtcdSourceOptions ToEtcdOptions() => new()
    {
        Endpoints = Endpoints.ToList(),
        Username = Username,
        Password = Password,
        CaCertificatePath = CaCertificatePath,
        ClientCertificatePath = ClientCertificatePath,
        ClientKeyPath = ClientKeyPath,
        Key = WatchPrefix,
        Prefix = true,
        SourceName = "dashboard",
    };

    /// <summary>The longest prefix both key prefixes share: the one watch covers them both (other keys under it are skipped).</summary>
    internal string WatchPrefix
    {
        get
        {
            var length = 0;
            while (length < MaintenancePrefix.Length && length < StatusPrefix.Length && MaintenancePrefix[length] == StatusPrefix[length])
            {
                length++;
            }
            return length == 0 ? "/" : MaintenancePrefix[..length];
        }
    }

    internal static bool TryParseBindAddress(string? text, out IPAddress address)
    {
        address = IPAddress.Loopback;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        if (string.Equals(text.Trim(), "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return IPAddress.TryParse(text.Trim().Trim('[', ']'), out address!);
    }

    private static void CheckPrefix(string prefix, string field, string example)
    {
        if (string.IsNullOrEmpty(prefix) || !prefix.StartsWith('/') || !prefix.EndsWith('/'))
        {
            throw new MaintenanceConfigurationException($"{SectionName}:{field}", $"is '{prefix}', but must start and end with '/' (e.g. {example})");
        }
    }

    private static string DefaultBy()
    {
        var user = Environment.GetEnvironmentVariable("USER");
        if (string.IsNullOrEmpty(user))
        {
            user = Environment.UserName;
        }
        var host = Environment.GetEnvironmentVariable("HOSTNAME");
        if (string.IsNullOrEmpty(host))
        {
            host = Environment.MachineName;
        }
        return $"{user}@{host}";
    }
}
