using MaintenanceActors.AspNetCore.Gate;
using MaintenanceActors.AspNetCore.Grpc.Health;
using MaintenanceActors.Grpc;
using Microsoft.AspNetCore.Http;

namespace MaintenanceActors.AspNetCore.Grpc;

/// <summary>
/// The gRPC side of the maintenance middleware: serves the health service, counts calls (streams
/// included) through the gRPC gate, refuses with UNAVAILABLE, and ends running calls when asked.
/// </summary>
internal sealed class GrpcCallGate(RequestGates gates, GrpcDrainOptions options, GrpcHealthService? health)
{
    private readonly RequestGate _gate = gates.Grpc;

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        if (health is not null && GrpcHealthService.Handles(path))
        {
            return health.InvokeAsync(context);
        }

        if (path.Value is { } method && options.SkipMethods.Contains(method))
        {
            return next(context);
        }

        if (!_gate.TryEnter())
        {
            WriteRefusal(context.Response, _gate.Closure, options.UnavailableMessage);
            return Task.CompletedTask;
        }

        return RunAdmittedAsync(context, next);
    }

    public static void WriteRefusal(HttpResponse response, GateClosure? closure, string message) =>
        GrpcResponses.WriteTrailersOnly(response, GrpcStatusCode.Unavailable, RefusalMessage(closure, message));

    private static string RefusalMessage(GateClosure? closure, string message) =>
        closure?.Reason is { Length: > 0 } reason ? $"{message}: {reason}" : message;

    private async Task RunAdmittedAsync(HttpContext context, RequestDelegate next)
    {
        var callAborted = context.RequestAborted;
        var endRequested = _gate.EndRequested;

        // The handler sees one token for "client gone" and "drain deadline": well-behaved streaming handlers stop on it.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(callAborted, endRequested);
        context.RequestAborted = linked.Token;
        try
        {
            await next(context);
            if (EndedByDrain())
            {
                GrpcResponses.SetStatus(context, GrpcStatusCode.Unavailable, RefusalMessage(_gate.Closure, options.UnavailableMessage));
            }
        }
        catch (OperationCanceledException) when (EndedByDrain())
        {
            GrpcResponses.SetStatus(context, GrpcStatusCode.Unavailable, RefusalMessage(_gate.Closure, options.UnavailableMessage));
        }
        finally
        {
            context.RequestAborted = callAborted;
            _gate.Exit();
        }

        bool EndedByDrain() => endRequested.IsCancellationRequested && !callAborted.IsCancellationRequested;
    }
}
