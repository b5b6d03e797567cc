using Google.Protobuf;
using MaintenanceActors.Etcd.Protocol;
using MaintenanceActors.Grpc;

namespace MaintenanceActors.Etcd;

public sealed partial class EtcdClient
{
    private readonly SemaphoreSlim watchLock = new(1, 1);
    private readonly List<WatchStream> watchStreams = [];
    private WatchStream? watchStream;

    /// <summary>Watches a key (or a prefix) and returns once etcd has created the watch.</summary>
    public Task<EtcdWatch> WatchAsync(string key, EtcdWatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EtcdWatchOptions();
        var keyBytes = ByteString.CopyFromUtf8(key);
        var request = new WatchCreateRequest
        {
            Key = keyBytes,
            StartRevision = options.StartRevision,
            PrevKv = options.PrevKv,
            ProgressNotify = options.ProgressNotify,

            // Without it etcd sends a whole history replay as one message, which can exceed MaxMessageSize and then fails
            // the stream on every retry; the pieces are put back together before delivery.
            Fragment = true,
        };
        if (options.Prefix)
            request.RangeEnd = EtcdKeys.PrefixEnd(keyBytes);
        return WatchAsync(request, cancellationToken);
    }

    /// <summary>Creates a watch from etcd's full WatchCreateRequest (its watch_id is chosen by the client) on the shared watch stream.</summary>
    public async Task<EtcdWatch> WatchAsync(WatchCreateRequest request, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await watchLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await CreateWatchAsync(request.Clone(), cancellationToken).ConfigureAwait(false);
                }
                catch (EtcdException ex) when (attempt == 0 && ex.StatusCode == GrpcStatusCode.Unauthenticated && connection.HasCredentials)
                {
                    // The stream's token was rejected (it travels once, when the stream opens): authenticate again on a new stream, once.
                    connection.Token = null;
                    watchStream = null;
                }
            }
        }
        finally
        {
            watchLock.Release();
        }
    }

    /// <summary>Asks etcd for a progress notification on every open watch; each then receives a response with no events.</summary>
    public Task RequestWatchProgressAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        watchStream?.RequestProgress();
        return Task.CompletedTask;
    }

    /// <summary>Watch streams the client holds open (tests check that retired streams are closed).</summary>
    internal int OpenWatchStreamCount
    {
        get
        {
            lock (watchStreams)
                return watchStreams.Count;
        }
    }

    private async Task<EtcdWatch> CreateWatchAsync(WatchCreateRequest request, CancellationToken cancellationToken)
    {
        var timeout = options.RequestTimeout == Timeout.InfiniteTimeSpan ? TimeSpan.FromMinutes(1) : options.RequestTimeout;
        if (watchStream is { AcceptsNewWatches: true } current)
        {
            try
            {
                return await current.CreateAsync(request, timeout, options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (GrpcCallException ex) when (ex.IsTransportFailure)
            {
                // The stream died just now; open a new one below (possibly on another endpoint).
            }
        }
        var metadata = await connection.GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        var (stream, watch) = await connection.WithFailoverAsync(async (endpoint, ct) =>
        {
            var call = connection.Invoker.Duplex(endpoint, EtcdMethods.Watch, WatchResponse.Parser, new GrpcCallOptions(metadata), CancellationToken.None);
            var opened = new WatchStream(call, logger);
            try
            {
                return (opened, await opened.CreateAsync(request, timeout, options.TimeProvider, ct).ConfigureAwait(false));
            }
            catch
            {
                await opened.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }, cancellationToken).ConfigureAwait(false);
        watchStream = stream;
        List<WatchStream> failed;
        lock (watchStreams)
        {
            // A stream that takes no new watches is done once its last watch has ended.
            failed = watchStreams.Where(s => s.IsFailed || (s != stream && !s.AcceptsNewWatches && s.IsIdle)).ToList();
            watchStreams.RemoveAll(failed.Contains);
            watchStreams.Add(stream);
        }
        foreach (var old in failed)
            await old.DisposeAsync().ConfigureAwait(false);
        return watch;
    }
}
