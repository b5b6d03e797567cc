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
            LeaseGrantResponse.Parser, idempotent: false, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(response.Error))
            throw new EtcdException(GrpcStatusCode.FailedPrecondition, response.Error);
        return response;
    }

    /// <summary>Revokes a lease; every key attached to it is deleted.</summary>
    public Task<LeaseRevokeResponse> LeaseRevokeAsync(long leaseId, CancellationToken cancellationToken = default) =>
        connection.UnaryAsync(EtcdMethods.LeaseRevoke, new LeaseRevokeRequest { ID = leaseId }, LeaseRevokeResponse.Parser, idempotent: false, cancellationToken);

    /// <summary>Reads a lease's remaining and granted TTL (TTL -1 when it has expired or never existed), optionally with its keys.</summary>
    public Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(long leaseId, bool includeKeys = false, CancellationToken cancellationToken = default) =>
        connection.UnaryAsync(EtcdMethods.LeaseTimeToLive, new LeaseTimeToLiveRequest { ID = leaseId, Keys = includeKeys },
            LeaseTimeToLiveResponse.Parser, idempotent: true, cancellationToken);

    /// <summary>Renews a lease once over the LeaseKeepAlive stream; returns the new TTL in seconds. Throws when the lease is gone.</summary>
    public async Task<long> LeaseKeepAliveOnceAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        var (call, ttl) = await OpenLeaseKeepAliveAsync(leaseId, cancellationToken).ConfigureAwait(false);
        await using (call.ConfigureAwait(false))
        {
            call.CompleteWrites();
            return ttl;
        }
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
        {
            // It may have ended already (e.g. the lease was gone); then it has nothing left to stop.
            if (!keepAlive.Ended)
                keepAlives.Add(keepAlive);
        }
        return keepAlive;
    }

    /// <summary>Keep-alives the client will stop on disposal (tests check that ended ones are let go).</summary>
    internal int RunningKeepAliveCount
    {
        get
        {
            lock (keepAlives)
                return keepAlives.Count;
        }
    }

    /// <summary>Called by a keep-alive whose renewal loop has ended (disposed or lease lost).</summary>
    internal void OnKeepAliveEnded(EtcdLeaseKeepAlive keepAlive)
    {
        lock (keepAlives)
        {
            keepAlive.Ended = true;
            keepAlives.Remove(keepAlive);
        }
    }

    /// <summary>Opens a keep-alive stream on the first endpoint that answers a first renewal; returns it with the granted TTL.</summary>
    internal async Task<(GrpcStreamingCall<LeaseKeepAliveResponse> Call, long Ttl)> OpenLeaseKeepAliveAsync(long leaseId,
        CancellationToken cancellationToken)
    {
        var metadata = await connection.GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await connection.WithFailoverAsync(async (endpoint, ct) =>
            {
                var call = connection.Invoker.Duplex(endpoint, EtcdMethods.LeaseKeepAlive, LeaseKeepAliveResponse.Parser,
                    new GrpcCallOptions(metadata), CancellationToken.None);
                try
                {
                    return (call, await RoundTripAsync(call, leaseId, ct).ConfigureAwait(false));
                }
                catch
                {
                    await call.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (GrpcCallException ex)
        {
            throw EtcdException.From(ex);
        }
    }

    /// <summary>One renewal on an open keep-alive stream, with the client's error types.</summary>
    internal async Task<long> LeaseKeepAliveRoundTripAsync(GrpcStreamingCall<LeaseKeepAliveResponse> call, long leaseId,
        CancellationToken cancellationToken)
    {
        try
        {
            return await RoundTripAsync(call, leaseId, cancellationToken).ConfigureAwait(false);
        }
        catch (GrpcCallException ex)
        {
            throw ex.IsTransportFailure
                ? new EtcdConnectionException([call.Endpoint], $"Lease keep-alive to etcd at {call.Endpoint} failed: {ex.Detail}", ex)
                : EtcdException.From(ex);
        }
    }

    private async Task<long> RoundTripAsync(GrpcStreamingCall<LeaseKeepAliveResponse> call, long leaseId, CancellationToken cancellationToken)
    {
        LeaseKeepAliveResponse? response;
        try
        {
            call.Write(new LeaseKeepAliveRequest { ID = leaseId });
            response = await call.ReadAsync(cancellationToken).AsTask()
                .WaitAsync(options.RequestTimeout, options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new GrpcCallException(GrpcStatusCode.DeadlineExceeded, $"etcd at {call.Endpoint} did not answer a lease keep-alive in time", ex)
            {
                IsTransportFailure = true,
            };
        }
        if (response is null)
            throw new GrpcCallException(GrpcStatusCode.Unavailable, $"etcd at {call.Endpoint} closed the lease keep-alive stream") { IsTransportFailure = true };
        if (response.TTL <= 0)
            throw new EtcdException(GrpcStatusCode.NotFound, $"etcdserver: requested lease not found (lease {leaseId:x} expired or was revoked)");
        return response.TTL;
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
