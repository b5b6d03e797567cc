using dotnet_etcd;
using MaintenanceActors.Etcd;

namespace MaintenanceActors.Testing;

/// <summary>
/// A real etcd cluster of several members on 127.0.0.1 (one process and data dir each), for specs where a live member dies and the
/// others keep quorum. Members are <see cref="EtcdServer"/>s: <see cref="EtcdServer.Kill"/> and <see cref="EtcdServer.RestartAsync"/> work on each.
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    private EtcdCluster(IReadOnlyList<EtcdServer> members)
    {
        Members = members;
    }

    /// <summary>The members, in the order of <see cref="Endpoints"/>.</summary>
    public IReadOnlyList<EtcdServer> Members { get; }

    /// <summary>Every member's client URL.</summary>
    public IReadOnlyList<string> Endpoints => Members.Select(m => m.Endpoint).ToArray();

    /// <summary>Starts <paramref name="size"/> members together (a member is ready only once a quorum elected a leader).</summary>
    public static async Task<EtcdCluster> StartAsync(int size = 3, EtcdServerOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        options ??= new EtcdServerOptions();
        var ports = Enumerable.Range(0, size).Select(_ => (Client: FreePort.Get(), Peer: FreePort.Get())).ToArray();
        var initialCluster = string.Join(",", ports.Select((p, i) => $"m{i}=http://127.0.0.1:{p.Peer}"));
        var members = ports.Select((p, i) => new EtcdServer(options, $"m{i}", p.Client, p.Peer, initialCluster)).ToArray();
        var cluster = new EtcdCluster(members);
        try
        {
            await Task.WhenAll(members.Select(m => m.StartAsync()));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Source options naming every member's endpoint.</summary>
    public EtcdSourceOptions CreateSourceOptions(string key = "/maintenance/test")
    {
        var options = Members[0].CreateSourceOptions(key);
        options.Endpoints = Endpoints.ToList();
        return options;
    }

    /// <summary>A client that knows every member.</summary>
    public EtcdClient CreateClient(Action<EtcdSourceOptions>? configure = null)
    {
        var options = CreateSourceOptions();
        configure?.Invoke(options);
        return EtcdClientFactory.Create(options);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members)
            await member.DisposeAsync();
    }
}
