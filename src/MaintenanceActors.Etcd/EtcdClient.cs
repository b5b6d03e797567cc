using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaintenanceActors.Etcd;

/// <summary>
/// An etcd v3 client over etcd's native gRPC API (HTTP/2): KV, Txn, Watch, Lease and Auth, with TLS and endpoint failover.
/// Thread-safe; create one per application and dispose it at shutdown.
/// </summary>
public sealed partial class EtcdClient : IAsyncDisposable
{
    private readonly EtcdClientOptions options;
    private readonly EtcdConnection connection;
    private readonly ILogger logger;
    private volatile bool disposed;

    /// <summary>Creates a client; validates <paramref name="options"/> first. No connection is opened until the first call.</summary>
    public EtcdClient(EtcdClientOptions options, ILogger<EtcdClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        connection = new EtcdConnection(options, this.logger);
    }

    /// <summary>Creates a client for comma-separated endpoints ("127.0.0.1:2379" or "http://127.0.0.1:2379,...") without auth or TLS.</summary>
    public EtcdClient(string endpoints)
        : this(new EtcdClientOptions { Endpoints = EtcdClientOptions.ParseEndpoints(endpoints) })
    {
    }

    /// <summary>The endpoints, normalized to base URIs, in the order they are tried.</summary>
    public IReadOnlyList<Uri> Endpoints => connection.Endpoints;

    /// <summary>The endpoint calls go to first: the last one that answered.</summary>
    public Uri CurrentEndpoint => connection.PreferredEndpoint;

    public async ValueTask DisposeAsync()
    {
        if (disposed)
            return;
        disposed = true;
        List<WatchStream> streams;
        lock (watchStreams)
        {
            streams = [.. watchStreams];
            watchStreams.Clear();
        }
        foreach (var stream in streams)
            await stream.DisposeAsync().ConfigureAwait(false);
        await DisposeKeepAlivesAsync().ConfigureAwait(false);
        connection.Dispose();
    }
}
