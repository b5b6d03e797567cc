using System.Runtime.CompilerServices;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaintenanceActors.Etcd;

/// <summary>
/// What the watcher needs from etcd, over dotnet-etcd's <see cref="EtcdClient"/>. The watch drives the client's raw gRPC watch stream
/// (its high-level helpers log connection loss to the console, retry on their own and hide compaction), so every failure reaches the
/// watcher as an exception and a compaction as a compaction batch.
/// </summary>
/// <remarks>
/// With <see cref="EtcdSourceOptions.Username"/> set, a call whose token etcd rejects (expired, or from before an auth change) drops
/// the client's cached token and is retried once with a fresh one. etcd 3.4 refuses a watch made with such a token as
/// "invalid auth token" or "permission denied" in a cancelled create, so a refused watch is retried once the same way before the
/// refusal is reported.
/// </remarks>
internal sealed partial class EtcdClientBackend : IEtcdWatchBackend
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly EtcdClient _client;
    private readonly string? _username;
    private readonly string? _password;
    private readonly ILogger _logger;
    private readonly string _endpoints;

    /// <param name="client">The client to use; not disposed here.</param>
    /// <param name="options">The source's settings; its credentials, when set, are used to re-authenticate after a rejected token.</param>
    /// <param name="logger">Where re-authentication is logged; default: the logger the client was created with, if any.</param>
    public EtcdClientBackend(EtcdClient client, EtcdSourceOptions? options = null, ILogger? logger = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _username = string.IsNullOrEmpty(options?.Username) ? null : options.Username;
        _password = options?.Password;
        _logger = logger ?? EtcdClientFactory.LoggerOf(client) ?? NullLogger.Instance;
        _endpoints = options is null ? "etcd" : string.Join(", ", options.EndpointUris());
    }

    private bool HasCredentials => _username is not null && !string.IsNullOrEmpty(_password);

    public Task<EtcdSnapshot> ReadAsync(string key, bool prefix, CancellationToken cancellationToken) =>
        CallAsync("Range", async () =>
        {
            var request = new RangeRequest { Key = ByteString.CopyFromUtf8(key) };
            if (prefix)
            {
                request.RangeEnd = PrefixEnd(request.Key);
            }
            var response = await _client.GetAsync(request, deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
            var entries = response.Kvs.Select(kv => new EtcdEntry(kv.Key.ToStringUtf8(), kv.Value.ToByteArray(), kv.ModRevision)).ToArray();
            return new EtcdSnapshot(response.Header.Revision, entries);
        }, cancellationToken);

    public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken) =>
        // Retried only after a rejected token: etcd refused that call before applying it.
        CallAsync("Put", async () =>
        {
            var request = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) };
            var response = await _client.PutAsync(request, deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Header.Revision;
        }, cancellationToken);

    public async IAsyncEnumerable<EtcdWatchBatch> WatchAsync(string key, bool prefix, long fromRevision, bool progressNotify,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var create = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(key), StartRevision = fromRevision, ProgressNotify = progressNotify };
        if (prefix)
        {
            create.RangeEnd = PrefixEnd(create.Key);
        }
        var (call, created) = await CreateWatchAsync(create, cancellationToken).ConfigureAwait(false);
        using (call)
        {
            if (created.CompactRevision > 0)
            {
                yield return Compacted(created);
                yield break;
            }
            yield return new EtcdWatchBatch(created.Header?.Revision ?? 0, Array.Empty<EtcdChange>(), Created: true);
            while (true)
            {
                var response = await NextAsync(call, cancellationToken).ConfigureAwait(false);
                if (response is null)
                {
                    yield break; // etcd ended the stream; the caller treats that as a lost connection
                }
                if (response.CompactRevision > 0)
                {
                    yield return Compacted(response);
                    yield break;
                }
                if (response.Canceled)
                {
                    throw new EtcdException($"etcd cancelled the watch of '{key}': {Reason(response.CancelReason)}");
                }
                var changes = response.Events.Select(e => new EtcdChange(
                    e.Kv.Key.ToStringUtf8(),
                    e.Type == Mvccpb.Event.Types.EventType.Delete ? null : e.Kv.Value.ToByteArray(),
                    e.Kv.ModRevision)).ToArray();
                // etcd 3.4 sends a watch's progress notification (no events) only once the watch has caught up with history.
                yield return new EtcdWatchBatch(response.Header?.Revision ?? 0, changes, Progress: changes.Length == 0 && !response.Created);
            }
        }
    }

    /// <summary>Opens the raw stream and creates the watch; returns the stream and etcd's first answer (created, or compacted).</summary>
    private async Task<(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> Call, WatchResponse First)> CreateWatchAsync(
        WatchCreateRequest create, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            // "hasleader": etcd ends the stream when the member serving it loses its leader, so a partitioned member cannot keep a watch silent.
            var call = _client.GetConnection().WatchClient.Watch(new Metadata { { "hasleader", "true" } }, cancellationToken: cancellationToken);
            try
            {
                try
                {
                    await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // A call that failed before the request went out (e.g. no endpoint reachable) says why on its response
                    // stream; the write only reports that it was cancelled.
                }
                var first = await NextAsync(call, cancellationToken).ConfigureAwait(false)
                    ?? throw new EtcdException($"etcd closed the watch stream before creating the watch of '{create.Key.ToStringUtf8()}'");
                if (first.Created && first.Canceled && first.CompactRevision == 0)
                {
                    if (attempt == 0 && HasCredentials && MayBeStaleToken(first.CancelReason))
                    {
                        // A watch made with an expired or dropped token: try once more with a fresh one.
                        LogTokenRefused(_logger, "Watch", first.CancelReason);
                        Reauthenticate();
                        call.Dispose();
                        continue;
                    }
                    throw new EtcdException($"etcd refused to watch '{create.Key.ToStringUtf8()}': {Reason(first.CancelReason)}");
                }
                if (first.Created && first.CompactRevision == 0)
                {
                    return (call, first);
                }
                if (first.CompactRevision > 0)
                {
                    return (call, first);
                }
                throw new EtcdException($"etcd answered the watch of '{create.Key.ToStringUtf8()}' without creating it");
            }
            catch
            {
                call.Dispose();
                throw;
            }
        }
    }

    private async Task<WatchResponse?> NextAsync(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, CancellationToken cancellationToken)
    {
        bool more;
        try
        {
            more = await Describe(() => call.ResponseStream.MoveNext(cancellationToken), "Watch", cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException ex) when (ex.InnerException is OperationCanceledException && Outcome(call) is { } status)
        {
            // The client reports some failures of a stream (e.g. no endpoint reachable) as a cancellation; the call's status says why.
            throw Explain(new RpcException(status), "Watch");
        }
        return more ? call.ResponseStream.Current : null;
    }

    private static Status? Outcome(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call)
    {
        try
        {
            var status = call.GetStatus();
            return status.StatusCode == StatusCode.OK ? null : status;
        }
        catch (InvalidOperationException)
        {
            return null; // the call has not finished
        }
    }

    private async Task<T> CallAsync<T>(string method, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException ex) when (HasCredentials && IsTokenRejected(ex) && !cancellationToken.IsCancellationRequested)
        {
            LogTokenRefused(_logger, method, ex.Status.Detail);
            Reauthenticate();
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            throw Explain(ex, method);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw DeadlineExceeded(ex, method);
        }
        return await Describe(call, method, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="call"/>, turning a gRPC failure into an <see cref="EtcdException"/> that says what failed and why.</summary>
    private async Task<T> Describe<T>(Func<Task<T>> call, string method, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            throw Explain(ex, method);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw method == "Watch"
                ? new EtcdException($"etcd Watch failed: the stream was cancelled underneath ({ex.Message})", ex)
                : DeadlineExceeded(ex, method);
        }
    }

    // The client reports a passed deadline as a cancellation; the caller's token was not cancelled, so say what happened. Unary
    // calls wait for a reachable endpoint, so this is also how "no endpoint reachable" ends.
    private EtcdException DeadlineExceeded(Exception ex, string method) =>
        new($"etcd {method} failed: DeadlineExceeded: no answer within {RequestTimeout.TotalSeconds:0} s from {_endpoints} (unreachable, or too slow)", ex);

    private EtcdException Explain(RpcException ex, string method)
    {
        if (ex.StatusCode == StatusCode.DeadlineExceeded && method != "Watch")
        {
            return DeadlineExceeded(ex, method);
        }
        var tls = EtcdClientFactory.TlsFailureOf(_client);
        var cause = tls is not null && IsTlsFailure(ex) ? $" ({tls})" : "";
        return new EtcdException($"etcd {method} failed: {ex.StatusCode}: {ex.Status.Detail}{cause}", ex);
    }

    /// <summary>Drops the client's cached token, so its next call authenticates again.</summary>
    private void Reauthenticate() => _client.SetCredentials(_username!, _password!);

    private static bool IsTokenRejected(RpcException ex) =>
        ex.StatusCode == StatusCode.Unauthenticated
        || ex.Status.Detail.Contains("invalid auth token", StringComparison.Ordinal)
        || ex.Status.Detail.Contains("revision of auth store is old", StringComparison.Ordinal);

    /// <summary>
    /// etcd 3.4 refuses a watch whose stream carries a dropped token as "invalid auth token", and one whose token it can no longer
    /// check as "permission denied"; either may heal with a fresh token.
    /// </summary>
    private static bool MayBeStaleToken(string reason) =>
        reason.Contains("permission denied", StringComparison.Ordinal)
        || reason.Contains("invalid auth token", StringComparison.Ordinal)
        || reason.Contains("revision of auth store is old", StringComparison.Ordinal);

    private static bool IsTlsFailure(Exception ex)
    {
        for (Exception? current = ex; current is not null; current = current.InnerException)
        {
            if (current is System.Security.Authentication.AuthenticationException)
            {
                return true;
            }
        }
        return ex is RpcException rpc && rpc.Status.DebugException is { } debug && IsTlsFailure(debug);
    }

    private static EtcdWatchBatch Compacted(WatchResponse response) =>
        new(response.Header?.Revision ?? 0, Array.Empty<EtcdChange>(), CompactRevision: Math.Max(1, response.CompactRevision));

    private static string Reason(string reason) => string.IsNullOrEmpty(reason) ? "no reason given" : reason;

    private static DateTime Deadline() => DateTime.UtcNow + RequestTimeout;

    /// <summary>The end of the range holding every key that starts with <paramref name="prefix"/> (etcd's prefix rule).</summary>
    internal static ByteString PrefixEnd(ByteString prefix)
    {
        var end = prefix.ToByteArray();
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return ByteString.CopyFrom(end, 0, i + 1);
            }
        }
        return ByteString.CopyFrom(0); // every key from the prefix on
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "etcd refused the auth token on {Method} ({Reason}); authenticating again")]
    private static partial void LogTokenRefused(ILogger logger, string method, string reason);
}
