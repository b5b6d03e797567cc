using MaintenanceActors.Etcd.Protocol;
using MaintenanceActors.Grpc;

namespace MaintenanceActors.Etcd;

public sealed partial class EtcdClient
{
    private readonly List<EtcdLeaseKeepAlive> keepAlives = [];

    /// <summary>Grants a lease of <paramref name="ttlSeconds"/>; <paramref name="leaseId"/> 0 lets etcd choose the id.</summary>
    public async Task<LeaseGrantResponse> LeaseGrantAsync(long ttlSeconds, long leaseId = 0, CancellationToken cancellationToken = default)
    {
        var response = await connection.UnaryAsync(EtcdMethods.LeaseGrant, new LeaseGrantRequest { TTL = ttlSeconds, ID = leaseId },
            LeaseGrantResponse.Parser, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(response.Error))
            throw new EtcdException(GrpcStatusCode.FailedPrecondition, response.Error);
        return response;
    }

    /// <summary>Revokes a lease; every key attached to it is deleted.</summary>
    public Task<LeaseRevokeResponse> LeaseRevokeAsync(long leaseId, CancellationToken cancellationToken = default) =>
        connection.UnaryAsync(EtcdMethods.LeaseRevoke, new LeaseRevokeRequest { ID = leaseId }, LeaseRevokeResponse.Parser, cancellationToken);

    /// <summary>Reads a lease's remaining and granted TTL (TTL -1 when it has expired or never existed), optionally with its keys.</summary>
    public Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(long leaseId, bool includeKeys = false, CancellationToken cancellationToken = default) =>
        connection.UnaryAsync(EtcdMethods.LeaseTimeToLive, new LeaseTimeToLiveRequest { ID = leaseId, Keys = includeKeys },
            LeaseTimeToLiveResponse.Parser, cancellationToken);

    /// <summary>Renews a lease once over the LeaseKeepAlive stream; returns the new TTL in seconds. Throws when the lease is gone.</summary>
    public async Task<long> LeaseKeepAliveOnceAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        await using var call = await OpenLeaseKeepAliveAsync(cancellationToken).ConfigureAwait(false);
        var ttl = await LeaseKeepAliveRoundTripAsync(call, leaseId, cancellationToken).ConfigureAwait(false);
        call.CompleteWrites();
        return ttl;
    }

    /// <summary>
    /// Keeps a lease alive in the background, renewing every third of its TTL over one LeaseKeepAlive stream (reopened on failure).
    /// Dispose it (or the client) to stop renewing; the lease then expires after its TTL unless revoked.
    /// </summary>
    public EtcdLeaseKeepAlive KeepAlive(long leaseId, long ttlSeconds)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(ttlSeconds, 1);
        var keepAlive = new EtcdLeaseKeepAlive(this, leaseId, TimeSpan.FromSeconds(ttlSeconds), options.TimeProvider, logger);
        lock (keepAlives)
            keepAlives.Add(keepAlive);
        return keepAlive;
    }

    internal async Task<GrpcStreamingCall<LeaseKeepAliveResponse>> OpenLeaseKeepAliveAsync(CancellationToken cancellationToken)
    {
        var metadata = await connection.GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        // Opening cannot fail by itself (the request goes out lazily); the first round trip decides, so failover happens there.
        return connection.Invoker.Duplex(connection.PreferredEndpoint, EtcdMethods.LeaseKeepAlive, LeaseKeepAliveResponse.Parser,
            new GrpcCallOptions(metadata), CancellationToken.None);
    }

    internal async Task<long> LeaseKeepAliveRoundTripAsync(GrpcStreamingCall<LeaseKeepAliveResponse> call, long leaseId,
        CancellationToken cancellationToken)
    {
        try
        {
            call.Write(new LeaseKeepAliveRequest { ID = leaseId });
            var response = await call.ReadAsync(cancellationToken).AsTask()
                .WaitAsync(options.RequestTimeout, options.TimeProvider, cancellationToken).ConfigureAwait(false)
                ?? throw new GrpcCallException(GrpcStatusCode.Unavailable, $"etcd at {call.Endpoint} closed the lease keep-alive stream")
                {
                    IsTransportFailure = true,
                };
            if (response.TTL <= 0)
                throw new EtcdException(GrpcStatusCode.NotFound, $"etcdserver: requested lease not found (lease {leaseId:x} expired or was revoked)");
            return response.TTL;
        }
        catch (TimeoutException ex)
        {
            throw new EtcdException(GrpcStatusCode.DeadlineExceeded, $"etcd at {call.Endpoint} did not answer a lease keep-alive in time", ex);
        }
        catch (GrpcCallException ex)
        {
            throw ex.IsTransportFailure
                ? new EtcdConnectionException([call.Endpoint], $"Lease keep-alive to etcd at {call.Endpoint} failed: {ex.Detail}", ex)
                : EtcdException.From(ex);
        }
    }

    private async Task DisposeKeepAlivesAsync()
    {
        List<EtcdLeaseKeepAlive> running;
        lock (keepAlives)
        {
            running = [.. keepAlives];
            keepAlives.Clear();
        }
        foreach (var keepAlive in running)
            await keepAlive.DisposeAsync().ConfigureAwait(false);
    }
}
