using System.Collections.Concurrent;
using MaintenanceActors.Etcd.Protocol;
using MaintenanceActors.Grpc;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Etcd;

/// <summary>
/// One duplex Watch call that multiplexes many watches: creates carry client-chosen watch ids, one reader loop dispatches
/// responses by id. When the call fails, every watch on it ends with <see cref="EtcdConnectionException"/>.
/// </summary>
internal sealed partial class WatchStream : IAsyncDisposable
{
    private readonly GrpcStreamingCall<WatchResponse> call;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<long, EtcdWatch> watches = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<WatchResponse>> pendingCreates = new();

    // Touched only by the read loop.
    private readonly Dictionary<long, List<Event>> fragments = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Task readLoop;
    private long lastWatchId;
    private volatile GrpcCallException? failure;
    private volatile bool refused;

    public WatchStream(GrpcStreamingCall<WatchResponse> call, ILogger logger)
    {
        this.call = call;
        this.logger = logger;
        readLoop = Task.Run(ReadLoopAsync);
    }

    public Uri Endpoint => call.Endpoint;

    public bool IsFailed => failure is not null;

    /// <summary>No watch lives on the stream and none is being created.</summary>
    public bool IsIdle => watches.IsEmpty && pendingCreates.IsEmpty;

    /// <summary>
    /// False once etcd refused a watch on this stream: etcd 3.4 stops reading a stream's requests after such a refusal,
    /// so new watches must go to a new stream (existing ones keep receiving events).
    /// </summary>
    public bool AcceptsNewWatches => failure is null && !refused;

    /// <summary>
    /// Creates a watch and waits for etcd's confirmation. Throws <see cref="GrpcCallException"/> (transport) when the stream fails first,
    /// <see cref="EtcdException"/> when etcd refuses the watch.
    /// </summary>
    public async Task<EtcdWatch> CreateAsync(WatchCreateRequest request, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (failure is { } failed)
            throw failed;
        var id = Interlocked.Increment(ref lastWatchId);
        request.WatchId = id;
        var watch = new EtcdWatch(this, id, request.StartRevision);
        var created = new TaskCompletionSource<WatchResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Pending first: the read loop treats a watch that is registered but no longer pending as confirmed.
        pendingCreates[id] = created;
        watches[id] = watch;
        if (failure is { } failedNow)
            created.TrySetException(failedNow);
        try
        {
            call.Write(new WatchRequest { CreateRequest = request });
            var response = await created.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            watch.CreatedRevision = response.Header?.Revision ?? 0;
            if (response.Canceled && response.CompactRevision == 0)
            {
                refused = true;
                throw new EtcdException(ReasonToStatus(response.CancelReason), DescribeRefusal(response.CancelReason));
            }
            return watch;
        }
        catch (TimeoutException)
        {
            Forget(id);
            throw new GrpcCallException(GrpcStatusCode.DeadlineExceeded,
                $"etcd at {Endpoint} did not confirm a watch within {timeout.TotalSeconds:0.#} s") { IsTransportFailure = true };
        }
        catch
        {
            Forget(id);
            throw;
        }
    }

    /// <summary>Asks etcd for a progress notification on every watch of this stream.</summary>
    public void RequestProgress()
    {
        if (failure is null)
            TryWrite(new WatchRequest { ProgressRequest = new WatchProgressRequest() });
    }

    public void Cancel(EtcdWatch watch)
    {
        // After a refusal etcd 3.4 no longer reads this stream, so a cancel would never be confirmed: end the watch here.
        if (failure is not null || refused || !TryWrite(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = watch.WatchId } }))
        {
            watches.TryRemove(watch.WatchId, out _);
            watch.Complete(null);
        }
    }

    private bool TryWrite(WatchRequest request)
    {
        try
        {
            call.Write(request);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private void Forget(long id)
    {
        pendingCreates.TryRemove(id, out _);
        if (watches.TryRemove(id, out var watch))
        {
            // etcd may still create it; cancelling is harmless if it never did.
            TryWrite(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = id } });
            watch.Complete(null);
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var response = await call.ReadAsync(stop.Token).ConfigureAwait(false);
                if (response is null)
                {
                    Fail(new GrpcCallException(GrpcStatusCode.Unavailable, $"etcd at {Endpoint} closed the watch stream") { IsTransportFailure = true });
                    return;
                }
                Dispatch(response);
            }
        }
        catch (GrpcCallException ex)
        {
            Fail(ex.IsTransportFailure ? ex : new GrpcCallException(ex.StatusCode, ex.Detail, ex) { IsTransportFailure = true });
        }
        catch (OperationCanceledException)
        {
            Fail(new GrpcCallException(GrpcStatusCode.Cancelled, "The etcd client was disposed") { IsTransportFailure = true });
        }
        catch (Exception ex)
        {
            Fail(new GrpcCallException(GrpcStatusCode.Internal, $"The watch stream to {Endpoint} failed: {ex.Message}", ex) { IsTransportFailure = true });
        }
    }

    private void Dispatch(WatchResponse response)
    {
        var id = response.WatchId;
        var revision = response.Header?.Revision ?? 0;
        if (response.Created)
        {
            // etcd answers a create it could not register with watch id -1 instead of the id asked for; creates are sent
            // one at a time, so the oldest pending one is the one answered. Any other unknown id is a late answer to a
            // create that already timed out, and must not complete somebody else's.
            if (id == -1 && !pendingCreates.IsEmpty)
                id = pendingCreates.Keys.Min();
            if (watches.TryGetValue(id, out var confirmed))
            {
                // A watch from "now" or from a future revision is in sync at once; one from the past first replays history.
                confirmed.Synced = confirmed.StartRevision == 0 || confirmed.StartRevision > revision;
            }
            if (pendingCreates.TryRemove(id, out var created))
                created.TrySetResult(response);
            if (response.Canceled)
                End(id, response);
            return;
        }
        if (response.Canceled)
        {
            fragments.Remove(id);
            End(id, response);
            return;
        }
        if (watches.TryGetValue(id, out var watch))
        {
            DeliverOwn(watch, response, revision);
            return;
        }
        if (response.Events.Count == 0)
        {
            // A progress answer not tied to one watch (etcd sends watch id -1): it holds for every confirmed watch on the stream.
            foreach (var each in watches.Values)
            {
                if (!pendingCreates.ContainsKey(each.WatchId))
                    each.Deliver(new EtcdWatchResponse(each.WatchId, ProgressRevision(each, revision), []));
            }
        }
    }

    private void DeliverOwn(EtcdWatch watch, WatchResponse response, long revision)
    {
        var id = watch.WatchId;
        if (response.Fragment)
        {
            // A large response comes in pieces; only the whole of it is one revision's (or batch's) complete set of events.
            if (!fragments.TryGetValue(id, out var pieces))
                fragments[id] = pieces = [];
            pieces.AddRange(response.Events);
            return;
        }
        IReadOnlyCollection<Event> events = response.Events;
        if (fragments.Remove(id, out var earlier))
        {
            earlier.AddRange(response.Events);
            events = earlier;
        }
        if (events.Count == 0)
        {
            // etcd sends a watch's own progress notification only once it has caught up with history.
            watch.Synced = true;
            watch.Deliver(new EtcdWatchResponse(id, ProgressRevision(watch, revision), []));
            return;
        }
        var converted = events.Select(ToEvent).ToList();
        watch.LastEventRevision = Math.Max(watch.LastEventRevision, converted[^1].Kv.ModRevision);
        watch.Deliver(new EtcdWatchResponse(id, revision, converted));
    }

    /// <summary>
    /// The revision a progress notification may honestly claim for <paramref name="watch"/>: never below the revision it asked to
    /// start from (etcd reports the store revision, which is smaller for a watch from a future revision), and, while the watch
    /// may still be replaying history, no further than what it has delivered (etcd 3.4 answers a progress request for all
    /// watches at once, without waiting for the replay).
    /// </summary>
    private static long ProgressRevision(EtcdWatch watch, long header)
    {
        var delivered = Math.Max(watch.StartRevision - 1, watch.LastEventRevision);
        return watch.Synced ? Math.Max(header, delivered) : delivered;
    }

    private void End(long id, WatchResponse response)
    {
        if (!watches.TryRemove(id, out var watch))
            return;
        if (response.CompactRevision > 0)
        {
            LogCompacted(logger, id, watch.StartRevision, response.CompactRevision);
            watch.Complete(new EtcdCompactedException(response.CompactRevision, watch.StartRevision));
        }
        else if (!watch.CancelRequested && !string.IsNullOrEmpty(response.CancelReason))
        {
            watch.Complete(new EtcdException(ReasonToStatus(response.CancelReason), DescribeRefusal(response.CancelReason)));
        }
        else
        {
            watch.Complete(null);
        }
    }

    private void Fail(GrpcCallException error)
    {
        if (failure is not null)
            return;
        failure = error;
        if (error.StatusCode != GrpcStatusCode.Cancelled)
            LogStreamFailed(logger, Endpoint, error.Detail);
        foreach (var id in pendingCreates.Keys)
        {
            if (pendingCreates.TryRemove(id, out var created))
                created.TrySetException(error);
        }
        foreach (var id in watches.Keys)
        {
            if (!watches.TryRemove(id, out var watch))
                continue;
            watch.Complete(watch.CancelRequested
                ? null
                : new EtcdConnectionException([Endpoint], $"The watch stream to etcd at {Endpoint} failed: {error.Detail}", error));
        }
    }

    private static EtcdEvent ToEvent(Event e) => new(
        e.Type == Event.Types.EventType.Delete ? EtcdEventType.Delete : EtcdEventType.Put,
        EtcdKeyValue.From(e.Kv),
        e.PrevKv is null ? null : EtcdKeyValue.From(e.PrevKv));

    private static GrpcStatusCode ReasonToStatus(string reason) =>
        reason.Contains("permission denied", StringComparison.Ordinal) ? GrpcStatusCode.PermissionDenied
        : reason.Contains("invalid auth token", StringComparison.Ordinal) || reason.Contains("code = Unauthenticated", StringComparison.Ordinal)
            ? GrpcStatusCode.Unauthenticated
            : GrpcStatusCode.FailedPrecondition;

    /// <summary>etcd puts a Go gRPC error string in cancel_reason ("rpc error: code = X desc = etcdserver: ..."); keep etcd's part.</summary>
    private static string DescribeRefusal(string reason)
    {
        if (string.IsNullOrEmpty(reason))
            return "etcd refused to create the watch";
        const string marker = " desc = ";
        var at = reason.IndexOf(marker, StringComparison.Ordinal);
        return reason.StartsWith("rpc error:", StringComparison.Ordinal) && at >= 0 ? reason[(at + marker.Length)..] : reason;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        call.CompleteWrites();
        await call.DisposeAsync().ConfigureAwait(false);
        await readLoop.ConfigureAwait(false);
        stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "etcd watch stream to {Endpoint} failed: {Reason}")]
    private static partial void LogStreamFailed(ILogger logger, Uri endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "etcd watch {WatchId} from revision {StartRevision} was cancelled: history compacted up to {CompactRevision}")]
    private static partial void LogCompacted(ILogger logger, long watchId, long startRevision, long compactRevision);
}
