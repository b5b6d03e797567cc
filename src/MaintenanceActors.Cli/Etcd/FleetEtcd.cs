using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using MaintenanceActors.Etcd;

namespace MaintenanceActors.Cli.Etcd;

/// <summary>One key/value as maintctl reads it.</summary>
internal sealed record KeyValue(string Key, string Value, long ModRevision, long CreateRevision, long Version, long Lease);

/// <summary>What a read returned, with the store revision it was read at.</summary>
internal sealed record RangeResult(long Revision, IReadOnlyList<KeyValue> Items);

/// <summary>
/// maintctl's narrow view of etcd over the core's client factory (same endpoints, TLS and auth handling as the services): reads,
/// writes, transactions and leases, each with the command timeout; every failure becomes an <see cref="EtcdUnavailableException"/>
/// whose message is one line saying what failed and why.
/// </summary>
internal sealed class FleetEtcd : IDisposable
{
    private readonly EtcdClient _client;
    private readonly EtcdClientBackend _backend;
    private readonly TimeSpan _timeout;
    private readonly string _endpoints;

    private FleetEtcd(EtcdClient client, EtcdSettings settings)
    {
        _client = client;
        var options = settings.ToSourceOptions();
        _backend = new EtcdClientBackend(client, options);
        _timeout = settings.CommandTimeout;
        _endpoints = string.Join(",", options.EndpointUris().Select(u => u.Authority));
    }

    public static FleetEtcd Connect(EtcdSettings settings)
    {
        try
        {
            return new FleetEtcd(EtcdClientFactory.Create(settings.ToSourceOptions()), settings);
        }
        catch (Exception ex) when (ex is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot load the TLS files: {ex.Message}");
        }
    }

    public EtcdClient Client => _client;

    public Task<RangeResult> GetAsync(string key, bool prefix, CancellationToken ct, long revision = 0) =>
        CallAsync("read", key, async deadline =>
        {
            var request = new RangeRequest { Key = ByteString.CopyFromUtf8(key), Revision = revision };
            if (prefix)
            {
                request.RangeEnd = PrefixEnd(key);
            }
            var response = await _client.GetAsync(request, deadline: deadline, cancellationToken: ct).ConfigureAwait(false);
            return new RangeResult(response.Header.Revision, response.Kvs.Select(ToKeyValue).ToArray());
        }, ct);

    /// <summary>Several prefix reads at one revision (one read-only transaction), so they agree with each other.</summary>
    public Task<RangeResult> GetPrefixesAsync(IReadOnlyList<string> prefixes, CancellationToken ct) =>
        CallAsync("read", string.Join(", ", prefixes), async deadline =>
        {
            var txn = new TxnRequest();
            foreach (var prefix in prefixes)
            {
                txn.Success.Add(new RequestOp { RequestRange = new RangeRequest { Key = ByteString.CopyFromUtf8(prefix), RangeEnd = PrefixEnd(prefix) } });
            }
            var response = await _client.TransactionAsync(txn, deadline: deadline, cancellationToken: ct).ConfigureAwait(false);
            var items = response.Responses.SelectMany(r => r.ResponseRange.Kvs).Select(ToKeyValue).ToArray();
            return new RangeResult(response.Header.Revision, items);
        }, ct);

    public Task<long> PutAsync(string key, string value, CancellationToken ct, long lease = 0) =>
        CallAsync("write", key, async deadline =>
        {
            var response = await _client.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value), Lease = lease },
                deadline: deadline, cancellationToken: ct).ConfigureAwait(false);
            return response.Header.Revision;
        }, ct);

    public Task<long> DeleteAsync(string key, CancellationToken ct) =>
        CallAsync("delete", key, async deadline =>
        {
            var response = await _client.DeleteAsync(new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key) }, deadline: deadline, cancellationToken: ct)
                .ConfigureAwait(false);
            return response.Header.Revision;
        }, ct);

    public Task<TxnResponse> TxnAsync(TxnRequest request, string what, CancellationToken ct) =>
        CallAsync("transaction", what, deadline => _client.TransactionAsync(request, deadline: deadline, cancellationToken: ct), ct);

    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken ct) =>
        CallAsync("lease grant", $"{ttl.TotalSeconds:0}s", async deadline =>
        {
            var response = await _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)Math.Ceiling(ttl.TotalSeconds) }, deadline: deadline, cancellationToken: ct)
                .ConfigureAwait(false);
            return response.ID;
        }, ct);

    public Task RevokeLeaseAsync(long lease, CancellationToken ct) =>
        CallAsync("lease revoke", lease.ToString(System.Globalization.CultureInfo.InvariantCulture), async deadline =>
        {
            await _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, deadline: deadline, cancellationToken: ct).ConfigureAwait(false);
            return 0;
        }, ct);

    /// <summary>
    /// Keeps <paramref name="lease"/> alive (a keep-alive every third of its TTL on one stream) until <paramref name="ct"/> is cancelled;
    /// ends with an <see cref="EtcdUnavailableException"/> when etcd says the lease is gone or the stream breaks.
    /// </summary>
    public async Task KeepAliveAsync(long lease, TimeSpan ttl, CancellationToken ct)
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(100, ttl.TotalMilliseconds / 3));
        try
        {
            using var call = _client.GetConnection().LeaseClient.LeaseKeepAlive(cancellationToken: ct);
            while (true)
            {
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease }, ct).ConfigureAwait(false);
                if (!await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
                {
                    throw new EtcdUnavailableException("etcd closed the lease keep-alive stream");
                }
                if (call.ResponseStream.Current.TTL <= 0)
                {
                    throw new EtcdUnavailableException($"etcd says the roll's lease {lease:x} has expired");
                }
                await Task.Delay(period, ct).ConfigureAwait(false);
            }
        }
        catch (RpcException ex) when (!ct.IsCancellationRequested)
        {
            throw new EtcdUnavailableException($"etcd lease keep-alive failed at {_endpoints}: {ex.StatusCode}: {ex.Status.Detail}", ex);
        }
    }

    /// <summary>The core's raw watch (compaction and broken streams surface, nothing is retried underneath).</summary>
    public async IAsyncEnumerable<EtcdWatchBatch> WatchAsync(string prefix, long fromRevision,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var batches = _backend.WatchAsync(prefix, prefix: true, fromRevision, progressNotify: false, ct).GetAsyncEnumerator(ct);
        while (true)
        {
            try
            {
                if (!await batches.MoveNextAsync().ConfigureAwait(false))
                {
                    throw new EtcdUnavailableException($"etcd at {_endpoints} ended the watch of {prefix}");
                }
            }
            catch (EtcdException ex) when (!ct.IsCancellationRequested)
            {
                throw new EtcdUnavailableException($"lost the watch of {prefix} at {_endpoints}: {ex.Message.ReplaceLineEndings(" ")}", ex);
            }
            yield return batches.Current;
        }
    }

    private async Task<T> CallAsync<T>(string what, string key, Func<DateTime, Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call(DateTime.UtcNow + _timeout).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded || (ex.StatusCode == StatusCode.Cancelled && !ct.IsCancellationRequested))
        {
            throw new EtcdUnavailableException($"etcd at {_endpoints} did not answer the {what} of {key} within {Output.Durations.Format(_timeout)} (unreachable? see --endpoints / ETCDCTL_ENDPOINTS)", ex);
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled || !ct.IsCancellationRequested)
        {
            var tls = EtcdClientFactory.TlsFailureOf(_client);
            var detail = tls is not null && ex.StatusCode == StatusCode.Unavailable ? $"{ex.Status.Detail} ({tls})" : ex.Status.Detail;
            throw new EtcdUnavailableException($"etcd at {_endpoints} refused the {what} of {key}: {ex.StatusCode}: {OneLine(detail)}", ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new EtcdUnavailableException($"etcd at {_endpoints} did not answer the {what} of {key} within {Output.Durations.Format(_timeout)} (unreachable? see --endpoints / ETCDCTL_ENDPOINTS)", ex);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is RpcException rpc)
        {
            // dotnet-etcd wraps a failed authentication (wrong password) this way.
            throw new EtcdUnavailableException($"etcd at {_endpoints} refused the credentials: {rpc.StatusCode}: {OneLine(rpc.Status.Detail)}", ex);
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static KeyValue ToKeyValue(Mvccpb.KeyValue kv) =>
        new(kv.Key.ToStringUtf8(), kv.Value.ToStringUtf8(), kv.ModRevision, kv.CreateRevision, kv.Version, kv.Lease);

    public static ByteString PrefixEnd(string prefix) => EtcdClientBackend.PrefixEnd(ByteString.CopyFromUtf8(prefix));

    public void Dispose() => _client.Dispose();
}
