using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace MaintenanceActors.Fleet;

/// <summary>What the status publisher needs from etcd: a lease, its keep-alive, a put on it, and its revocation.</summary>
internal interface IFleetStatusStore
{
    /// <summary>Grants a lease of <paramref name="ttl"/>; returns its id.</summary>
    Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Keeps the lease alive once; returns the TTL etcd granted, 0 or less when the lease is gone.</summary>
    Task<long> KeepAliveAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="value"/> at <paramref name="key"/> on the lease.</summary>
    Task PutAsync(string key, string value, long leaseId, CancellationToken cancellationToken);

    /// <summary>Revokes the lease (its keys vanish at once).</summary>
    Task RevokeAsync(long leaseId, CancellationToken cancellationToken);
}

/// <summary>The status store over dotnet-etcd's client; every call has a deadline.</summary>
internal sealed class EtcdFleetStatusStore(EtcdClient client) : IFleetStatusStore
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    public async Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken) =>
        (await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)ttl.TotalSeconds }, deadline: Deadline(), cancellationToken: cancellationToken)
            .ConfigureAwait(false)).ID;

    public async Task<long> KeepAliveAsync(long leaseId, CancellationToken cancellationToken)
    {
        // One request and its answer on a short-lived stream: a failure surfaces here instead of inside a retrying helper.
        using var call = client.GetConnection().LeaseClient.LeaseKeepAlive(deadline: Deadline(), cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = leaseId }, cancellationToken).ConfigureAwait(false);
        if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            throw new IOException("etcd closed the lease keep-alive stream without an answer");
        }
        var ttl = call.ResponseStream.Current.TTL;
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        return ttl;
    }

    public Task PutAsync(string key, string value, long leaseId, CancellationToken cancellationToken) =>
        client.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value), Lease = leaseId },
            deadline: Deadline(), cancellationToken: cancellationToken);

    public async Task RevokeAsync(long leaseId, CancellationToken cancellationToken)
    {
        try
        {
            await client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = leaseId }, deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.Status.Detail.Contains("lease not found", StringComparison.Ordinal))
        {
            // Already expired: nothing left to remove.
        }
    }

    private static DateTime Deadline() => DateTime.UtcNow + RequestTimeout;
}
