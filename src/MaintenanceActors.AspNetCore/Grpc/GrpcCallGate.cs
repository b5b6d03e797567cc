using Grpc.Core;
using MaintenanceActors.AspNetCore.Gate;
using Microsoft.AspNetCore.Http;

namespace MaintenanceActors.AspNetCore.Grpc;

/// <summary>
/// The gRPC side of the maintenance middleware, in front of Grpc.AspNetCore: counts calls (streams included)
/// through the gRPC gate, refuses them with a trailers-only UNAVAILABLE, and hands admitted calls a
/// cancellation token that the drain fires to end them (<see cref="GrpcDrainInterceptor"/> turns that end
/// into UNAVAILABLE). grpc.health.v1 and <see cref="GrpcDrainOptions.SkipMethods"/> pass untouched.
/// </summary>
internal sealed class GrpcCallGate(RequestGates gates, GrpcDrainOptions options)
{
    /// <summary>Every method of grpc.health.v1.Health: health is never refused and never work to drain.</summary>
    public const string HealthServicePrefix = "/grpc.health.v1.Health/";

    private readonly RequestGate _gate = gates.Grpc;

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.Value is { } method
            && (method.StartsWith(HealthServicePrefix, StringComparison.Ordinal) || options.SkipMethods.Contains(method)))
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
        GrpcResponses.WriteTrailersOnly(response, UnavailableStatus(closure, message));

    /// <summary>UNAVAILABLE with the configured message and the maintenance reason, for refused calls and calls the drain ended.</summary>
    public static Status UnavailableStatus(GateClosure? closure, string message) =>
        new(StatusCode.Unavailable, closure?.Reason is { Length: > 0 } reason ? $"{message}: {reason}" : message);

    private async Task RunAdmittedAsync(HttpContext context, RequestDelegate next)
    {
        var callAborted = context.RequestAborted;

        // The handler sees one token (ServerCallContext.CancellationToken) for "client gone" and "drain deadline":
        // well-behaved streaming handlers stop on it.
        using var call = new AdmittedGrpcCall(callAborted, _gate, options.UnavailableMessage);
        context.RequestAborted = call.CancellationToken;
        context.Features.Set(call);
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set<AdmittedGrpcCall>(null);
            context.RequestAborted = callAborted;
            _gate.Exit();
        }
    }
}

/// <summary>A call the gate let in, as an HttpContext feature: knows whether the drain (not the client) ended it.</summary>
internal sealed class AdmittedGrpcCall : IDisposable
{
    private readonly CancellationToken _callAborted;
    private readonly CancellationToken _endRequested;
    private readonly RequestGate _gate;
    private readonly string _message;
    private readonly CancellationTokenSource _linked;

    public AdmittedGrpcCall(CancellationToken callAborted, RequestGate gate, string message)
    {
        _callAborted = callAborted;
        _endRequested = gate.EndRequested;
        _gate = gate;
        _message = message;
        _linked = CancellationTokenSource.CreateLinkedTokenSource(callAborted, _endRequested);
    }

    public CancellationToken CancellationToken => _linked.Token;

    public bool EndedByDrain => _endRequested.IsCancellationRequested && !_callAborted.IsCancellationRequested;

    public Status EndedStatus => GrpcCallGate.UnavailableStatus(_gate.Closure, _message);

    public void Dispose() => _linked.Dispose();
}
