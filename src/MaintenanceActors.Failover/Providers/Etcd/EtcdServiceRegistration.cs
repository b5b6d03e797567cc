using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using MaintenanceActors.Etcd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaintenanceActors.Failover.Providers;

/// <summary>
/// An instance registering itself in etcd: writes <c>{ServicesPrefix}{service}/{instanceId}</c> on a lease and keeps the lease
/// alive, so the key vanishes within the lease's TTL when the process dies, and at once when it is disposed (the lease is
/// revoked). If the lease is lost (etcd was away longer than the TTL) it is granted again and the key written again.
/// </summary>
/// <example><code>
/// await using var registration = await EtcdServiceRegistration.StartAsync(etcd, "users-service", "users-1",
///     new InstanceRegistration("127.0.0.1", 5080));
/// </code></example>
public sealed partial class EtcdServiceRegistration : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RevokeTimeout = TimeSpan.FromSeconds(2);

    private readonly EtcdClient _client;
    private readonly string _value;
    private readonly TimeSpan _ttl;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _keepAlive = Task.CompletedTask;
    private long _leaseId;

    private EtcdServiceRegistration(EtcdClient client, string key, string value, TimeSpan ttl, ILogger logger)
    {
        _client = client;
        Key = key;
        _value = value;
        _ttl = ttl;
        _logger = logger;
    }

    /// <summary>The key this instance is registered under.</summary>
    public string Key { get; }

    /// <summary>The lease currently holding the key (changes when a lost lease is granted again).</summary>
    public long LeaseId => Interlocked.Read(ref _leaseId);

    /// <summary>Registers the instance and starts keeping its lease alive; throws when etcd cannot be reached within a few seconds.</summary>
    /// <param name="options">etcd endpoints and credentials, and <see cref="EtcdDiscoveryOptions.ServicesPrefix"/>.</param>
    /// <param name="serviceName">The service's name, e.g. <c>users-service</c> (no '/').</param>
    /// <param name="instanceId">This instance's id, unique within the service (no '/').</param>
    /// <param name="registration">Where the instance listens.</param>
    /// <param name="ttl">Lease TTL (default 5 s): how long a dead instance stays registered at most. Whole seconds, at least 2.</param>
    /// <param name="logger">Where lease trouble is logged.</param>
    /// <param name="cancellationToken">Cancels the first registration.</param>
    public static async Task<EtcdServiceRegistration> StartAsync(EtcdDiscoveryOptions options, string serviceName, string instanceId,
        InstanceRegistration registration, TimeSpan? ttl = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registration);
        options.Validate();
        foreach (var (field, value) in new[] { ("serviceName", serviceName), ("instanceId", instanceId) })
        {
            if (string.IsNullOrWhiteSpace(value) || value.Contains('/'))
            {
                throw new MaintenanceConfigurationException(field, $"must be a non-empty name without '/', not '{value}'");
            }
        }
        var lease = ttl ?? TimeSpan.FromSeconds(5);
        if (lease < TimeSpan.FromSeconds(2))
        {
            throw new MaintenanceConfigurationException("ttl", $"must be at least 2 seconds (e.g. 00:00:05), but was {lease}");
        }
        var client = EtcdClientFactory.Create(options.ToSourceOptions(options.ServicesPrefix));
        var self = new EtcdServiceRegistration(client, $"{options.ServicesPrefix}{serviceName}/{instanceId}", registration.ToJson(), lease,
            logger ?? NullLogger.Instance);
        try
        {
            await self.RegisterAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        self._keepAlive = Task.Run(self.KeepAliveLoopAsync);
        return self;
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var grant = await _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)Math.Ceiling(_ttl.TotalSeconds) },
            deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _client.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(Key), Value = ByteString.CopyFromUtf8(_value), Lease = grant.ID },
            deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _leaseId, grant.ID);
        LogRegistered(_logger, Key, grant.ID, grant.TTL);
    }

    private async Task KeepAliveLoopAsync()
    {
        var token = _stop.Token;
        var interval = _ttl / 3;
        var failures = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (LeaseId == 0)
                {
                    await RegisterAsync(token).ConfigureAwait(false);
                }
                using var call = _client.GetConnection().LeaseClient.LeaseKeepAlive(cancellationToken: token);
                while (!token.IsCancellationRequested)
                {
                    await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = LeaseId }, token).ConfigureAwait(false);
                    if (!await call.ResponseStream.MoveNext(token).ConfigureAwait(false))
                    {
                        throw new IOException("etcd closed the lease keep-alive stream");
                    }
                    if (call.ResponseStream.Current.TTL <= 0)
                    {
                        // The lease ran out while etcd could not be reached: the key is gone, write it again on a new lease.
                        LogLeaseLost(_logger, Key, LeaseId);
                        Interlocked.Exchange(ref _leaseId, 0);
                        break;
                    }
                    failures = 0;
                    await Task.Delay(interval, token).ConfigureAwait(false);
                }
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException)
            {
                failures++;
                if (failures == 1 || failures % 10 == 0)
                {
                    LogKeepAliveFailed(_logger, Key, ex.Message, failures);
                }
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(interval.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(failures, 6)))), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Stops keeping the lease alive and revokes it, so the key vanishes now rather than when the TTL runs out.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        _stop.Cancel();
        await _keepAlive.ConfigureAwait(false);
        var lease = LeaseId;
        if (lease != 0)
        {
            try
            {
                // Short: a stopping process should not wait long for an etcd that is gone.
                await _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, deadline: DateTime.UtcNow + RevokeTimeout).ConfigureAwait(false);
                LogRevoked(_logger, Key, lease);
            }
            catch (Exception ex) when (ex is RpcException or OperationCanceledException)
            {
                // The key still vanishes when the TTL runs out.
                LogRevokeFailed(_logger, Key, ex is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : $"no answer within {RevokeTimeout.TotalSeconds:0} s");
            }
        }
        _client.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered {Key} in etcd on lease {Lease} (TTL {Ttl} s)")]
    private static partial void LogRegistered(ILogger logger, string key, long lease, long ttl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {Lease} of {Key} expired; registering again")]
    private static partial void LogLeaseLost(ILogger logger, string key, long lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Keeping the lease of {Key} alive failed ({Error}); attempt {Attempt}, trying again")]
    private static partial void LogKeepAliveFailed(ILogger logger, string key, string error, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deregistered {Key}: lease {Lease} revoked")]
    private static partial void LogRevoked(ILogger logger, string key, long lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not revoke the lease of {Key} ({Error}); it vanishes when the lease runs out")]
    private static partial void LogRevokeFailed(ILogger logger, string key, string error);
}
