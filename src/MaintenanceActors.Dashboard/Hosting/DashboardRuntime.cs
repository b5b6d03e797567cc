using System.Security.Cryptography;
using System.Text;
using MaintenanceActors.Dashboard.Watch;
using dotnet_etcd;
using MaintenanceActors.Etcd;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Dashboard.Hosting;

/// <summary>What the endpoints share: the validated options, the write token, the fleet state and the etcd client the writes use.</summary>
internal sealed class DashboardRuntime : IDisposable
{
    private readonly byte[] _tokenBytes;
    private readonly EtcdClient? _ownedClient;

    public DashboardRuntime(DashboardOptions options, IEtcdWatchBackend backend, TimeProvider clock, EtcdClient? ownedClient = null)
    {
        Options = options;
        Backend = backend;
        _ownedClient = ownedClient;
        (Token, TokenGenerated) = ResolveToken(options);
        _tokenBytes = Encoding.UTF8.GetBytes(Token);
        State = new FleetState(options, clock);
    }

    public DashboardOptions Options { get; }

    public IEtcdWatchBackend Backend { get; }

    public FleetState State { get; }

    /// <summary>The token a write must carry.</summary>
    public string Token { get; }

    /// <summary>True when no token was configured and this one was made at start (so it is printed once).</summary>
    public bool TokenGenerated { get; }

    /// <summary>Builds the runtime over a client made from <paramref name="options"/> by the core's factory (TLS, auth as the core does).</summary>
    public static DashboardRuntime Create(DashboardOptions options, ILoggerFactory? loggers, TimeProvider? clock = null)
    {
        options.Validate();
        var etcd = options.ToEtcdOptions();
        var client = EtcdClientFactory.Create(etcd, loggers?.CreateLogger<DashboardRuntime>());
        return new DashboardRuntime(options, new EtcdClientBackend(client, etcd), clock ?? TimeProvider.System, client);
    }

    /// <summary>Constant-time comparison, so the time of a refusal says nothing about the token.</summary>
    public bool IsToken(string? presented) =>
        !string.IsNullOrEmpty(presented) && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _tokenBytes);

    public void Dispose() => _ownedClient?.Dispose();

    private static (string Token, bool Generated) ResolveToken(DashboardOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.AuthToken))
        {
            return (options.AuthToken.Trim(), false);
        }
        var fromEnvironment = Environment.GetEnvironmentVariable(DashboardOptions.TokenEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            if (fromEnvironment.Trim().Length < 16)
            {
                throw new MaintenanceConfigurationException(DashboardOptions.TokenEnvironmentVariable,
                    "must be at least 16 characters (or leave it unset to have one generated at start)");
            }
            return (fromEnvironment.Trim(), false);
        }
        return (Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_'), true);
    }
}
