using MaintenanceActors.AspNetCore.Grpc.Health.V1;
using MaintenanceActors.Grpc;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.AspNetCore.Grpc.Health;

/// <summary>
/// grpc.health.v1.Health served by hand at the HTTP/2 level: Check and the streaming Watch. It answers
/// during maintenance too (that is its point) and is never counted as in-flight work.
/// </summary>
internal sealed partial class GrpcHealthService(GrpcHealthBoard board, IHostApplicationLifetime? lifetime, ILogger<GrpcHealthService> logger)
{
    public const string CheckPath = "/grpc.health.v1.Health/Check";
    public const string WatchPath = "/grpc.health.v1.Health/Watch";

    private const int MaxRequestSize = 64 * 1024;

    public static bool Handles(PathString path) =>
        path.Equals(CheckPath, StringComparison.Ordinal) || path.Equals(WatchPath, StringComparison.Ordinal);

    public Task InvokeAsync(HttpContext context) =>
        context.Request.Path.Equals(CheckPath, StringComparison.Ordinal) ? CheckAsync(context) : WatchAsync(context);

    private async Task CheckAsync(HttpContext context)
    {
        var request = await ReadRequestAsync(context);
        if (request is null)
        {
            return;
        }

        if (board.StatusOf(request.Service) is not { } status)
        {
            GrpcResponses.WriteTrailersOnly(context.Response, GrpcStatusCode.NotFound, $"Unknown service '{request.Service}'.");
            return;
        }

        GrpcResponses.StartResponse(context.Response);
        await GrpcResponses.WriteMessageAsync(context, new HealthCheckResponse { Status = status }, context.RequestAborted);
        GrpcResponses.SetStatus(context, GrpcStatusCode.OK, null);
    }

    private async Task WatchAsync(HttpContext context)
    {
        var request = await ReadRequestAsync(context);
        if (request is null)
        {
            return;
        }

        var stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        GrpcResponses.StartResponse(context.Response);
        HealthCheckResponse.Types.ServingStatus? sent = null;
        try
        {
            while (true)
            {
                // Take the change signal before reading the status: a change in between then wakes us at once.
                var changed = board.Changed;
                var status = board.StatusOf(request.Service) ?? HealthCheckResponse.Types.ServingStatus.ServiceUnknown;
                if (status != sent)
                {
                    await GrpcResponses.WriteMessageAsync(context, new HealthCheckResponse { Status = status }, ended.Token);
                    sent = status;
                }

                await changed.WaitAsync(ended.Token);
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            // The client is told to retry elsewhere, per the health protocol's "retry with backoff" rule.
            GrpcResponses.SetStatus(context, GrpcStatusCode.Unavailable, "Server is shutting down.");
        }
    }

    private async Task<HealthCheckRequest?> ReadRequestAsync(HttpContext context)
    {
        var request = await GrpcResponses.ReadRequestAsync(context, HealthCheckRequest.Parser, MaxRequestSize);
        if (request is null && GrpcResponses.HasStatus(context))
        {
            LogBadRequest(logger, context.Request.Path, context.Response.Headers[GrpcProtocol.MessageHeader].ToString());
        }

        return request;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused malformed health request to {Path}: {Problem}")]
    private static partial void LogBadRequest(ILogger logger, PathString path, string? problem);
}
