using Grpc.Core;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace MaintenanceActors.AspNetCore.Grpc.Health;

/// <summary>
/// grpc.health.v1.Health as the gRPC drain drives it: Grpc.HealthCheck's service, reporting SERVING or
/// NOT_SERVING for "" and each configured service name (unknown names get NOT_FOUND on Check and
/// SERVICE_UNKNOWN on Watch). Watch streams end with UNAVAILABLE on <see cref="EndWatches"/> and when the
/// host stops, so an open Watch never holds a shutdown for the whole HostOptions.ShutdownTimeout.
/// </summary>
/// <remarks>Mapped with MapGrpcService by <c>UseMaintenance()</c>; the gate never refuses nor counts its calls.</remarks>
internal sealed partial class GrpcHealthBoard : HealthServiceImpl, IDisposable
{
    /// <summary>The grpc-message of a Watch ended by <see cref="EndWatches"/>: clients retry elsewhere, with backoff.</summary>
    public const string WatchEndedMessage = "Server is shutting down.";

    private readonly string[] _services;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private readonly CancellationTokenSource _watchesEnded = new();
    private readonly CancellationTokenRegistration _stopping;
    private volatile bool _serving = true;
    private int _openWatches;

    public GrpcHealthBoard(IEnumerable<string> serviceNames, IHostApplicationLifetime? lifetime, ILogger<GrpcHealthBoard> logger)
    {
        _services = serviceNames.Prepend(string.Empty).Distinct(StringComparer.Ordinal).ToArray();
        _logger = logger;
        foreach (var service in _services)
        {
            SetStatus(service, ServingStatus.Serving);
        }

        _stopping = lifetime?.ApplicationStopping.Register(static board => ((GrpcHealthBoard)board!).EndWatches(), this) ?? default;
    }

    public bool IsServing => _serving;

    /// <summary>The names reported besides unknown ones: "" (the whole server) and the configured service names.</summary>
    public IReadOnlyCollection<string> Services => _services;

    /// <summary>Watch streams open now.</summary>
    public int OpenWatches => Volatile.Read(ref _openWatches);

    /// <summary>Whether <see cref="EndWatches"/> has run (then every Watch, open or new, ends after its current status).</summary>
    public bool WatchesEnded => _watchesEnded.IsCancellationRequested;

    /// <summary>SERVING or NOT_SERVING for "" and every configured name at once; watchers get the change.</summary>
    public void SetServing(bool serving)
    {
        // One lock so two flips cannot interleave and leave the names disagreeing.
        lock (_sync)
        {
            if (_serving == serving)
            {
                return;
            }

            _serving = serving;
            var status = serving ? ServingStatus.Serving : ServingStatus.NotServing;
            foreach (var service in _services)
            {
                SetStatus(service, status);
            }
        }
    }

    /// <summary>
    /// Ends every open Watch stream with UNAVAILABLE ("Server is shutting down.") and makes any Watch opened
    /// later end right after sending its current status. One-way, for shutdown: runs by itself when the host
    /// stops (ApplicationStopping); call it earlier to end the streams before the server stops accepting.
    /// Idempotent and never blocks.
    /// </summary>
    public void EndWatches()
    {
        if (_watchesEnded.IsCancellationRequested)
        {
            return;
        }

        LogEndingWatches(_logger, OpenWatches);
        try
        {
            _watchesEnded.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The host is already disposing the board: there are no calls left to end.
        }
    }

    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        if (context.CancellationToken.IsCancellationRequested)
        {
            // The client is already gone: nobody to send a status to.
            return;
        }

        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _watchesEnded.Token);
        Interlocked.Increment(ref _openWatches);
        try
        {
            // Headers first, so however the stream ends its messages go before a status in trailers.
            await context.WriteResponseHeadersAsync([]);
            if (ended.IsCancellationRequested)
            {
                // Opened after EndWatches: Grpc.HealthCheck's Watch sends nothing on a token already fired, so send the status here.
                await responseStream.WriteAsync(await CurrentStatusAsync(request, context));
            }
            else
            {
                // Grpc.HealthCheck's Watch runs until its context's token fires: give it one that EndWatches fires too.
                await base.Watch(request, responseStream, new EndableServerCallContext(context, ended.Token));
            }
        }
        finally
        {
            Interlocked.Decrement(ref _openWatches);
        }

        if (!context.CancellationToken.IsCancellationRequested)
        {
            // Per the health protocol, any status but UNIMPLEMENTED tells the watcher to retry (elsewhere) with backoff.
            throw new RpcException(new Status(StatusCode.Unavailable, WatchEndedMessage));
        }
    }

    private async Task<HealthCheckResponse> CurrentStatusAsync(HealthCheckRequest request, ServerCallContext context)
    {
        try
        {
            return await Check(request, context);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return new HealthCheckResponse { Status = ServingStatus.ServiceUnknown };
        }
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Ending {OpenWatches} open grpc.health.v1 Watch streams with UNAVAILABLE")]
    private static partial void LogEndingWatches(ILogger logger, int openWatches);
}
