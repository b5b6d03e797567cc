using MaintenanceActors.Etcd.Protocol;
using MaintenanceActors.Grpc;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Etcd;

/// <summary>
/// Renews one lease in the background every third of its TTL. <see cref="Completion"/> faults with <see cref="EtcdException"/>
/// when the lease is gone or could not be renewed within its TTL; it completes normally when disposed.
/// </summary>
public sealed partial class EtcdLeaseKeepAlive : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private readonly EtcdClient client;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stop = new();
    private long lastTtlSeconds;
    private long renewals;

    internal EtcdLeaseKeepAlive(EtcdClient client, long leaseId, TimeSpan ttl, TimeProvider time, ILogger logger)
    {
        this.client = client;
        this.time = time;
        this.logger = logger;
        LeaseId = leaseId;
        lastTtlSeconds = (long)ttl.TotalSeconds;
        Completion = Task.Run(() => RunAsync(ttl));
    }

    /// <summary>The lease being kept alive.</summary>
    public long LeaseId { get; }

    /// <summary>The TTL etcd granted on the last renewal, in seconds.</summary>
    public long LastTtlSeconds => Interlocked.Read(ref lastTtlSeconds);

    /// <summary>How many renewals etcd has confirmed.</summary>
    public long Renewals => Interlocked.Read(ref renewals);

    /// <summary>Set under the client's keep-alive lock once the renewal loop has ended.</summary>
    internal bool Ended { get; set; }

    /// <summary>Ends when renewing stops: normally after disposal, faulted when the lease was lost.</summary>
    public Task Completion { get; }

    private async Task RunAsync(TimeSpan ttl)
    {
        GrpcStreamingCall<LeaseKeepAliveResponse>? call = null;
        var lastRenewed = time.GetUtcNow();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                TimeSpan delay;
                try
                {
                    long granted;
                    if (call is null)
                        (call, granted) = await client.OpenLeaseKeepAliveAsync(LeaseId, stop.Token).ConfigureAwait(false);
                    else
                        granted = await client.LeaseKeepAliveRoundTripAsync(call, LeaseId, stop.Token).ConfigureAwait(false);
                    ttl = TimeSpan.FromSeconds(granted);
                    lastRenewed = time.GetUtcNow();
                    Interlocked.Exchange(ref lastTtlSeconds, granted);
                    Interlocked.Increment(ref renewals);
                    delay = ttl / 3;
                }
                catch (EtcdException ex) when (ex is EtcdConnectionException || ex.StatusCode == GrpcStatusCode.DeadlineExceeded)
                {
                    if (call is not null)
                        await call.DisposeAsync().ConfigureAwait(false);
                    call = null;
                    if (time.GetUtcNow() - lastRenewed >= ttl)
                        throw new EtcdException(GrpcStatusCode.Unavailable,
                            $"Could not renew lease {LeaseId:x} within its TTL of {ttl.TotalSeconds:0} s: {ex.Detail}", ex);
                    LogRenewFailed(logger, LeaseId, ex.Detail);
                    delay = RetryDelay < ttl / 3 ? RetryDelay : ttl / 3;
                }
                await Task.Delay(delay, time, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: stop renewing quietly.
        }
        finally
        {
            if (call is not null)
            {
                call.CompleteWrites();
                await call.DisposeAsync().ConfigureAwait(false);
            }
            client.OnKeepAliveEnded(this);
        }
    }

    /// <summary>Stops renewing (the lease is not revoked).</summary>
    public async ValueTask DisposeAsync()
    {
        if (stop.IsCancellationRequested)
            return;
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Completion.ConfigureAwait(false);
        }
        catch (EtcdException)
        {
            // The loss was reported through Completion already.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing etcd lease {LeaseId} failed, retrying: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, long leaseId, string reason);
}
