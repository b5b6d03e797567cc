using MaintenanceActors.AspNetCore.Gate;
using MaintenanceActors.AspNetCore.Grpc;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MaintenanceActors.AspNetCore.Http;

/// <summary>
/// Counts every request through a gate before anything else looks at it, refuses it cleanly when the
/// gate is closed, and uncounts it in a finally block however the request ends.
/// </summary>
internal sealed class MaintenanceMiddleware
{
    private readonly RequestDelegate _next;
    private readonly RequestGate _gate;
    private readonly SkipRules _skip;
    private readonly MaintenanceRefusal _refusal;
    private readonly GrpcCallGate? _grpc;
    private readonly string _grpcMessage;

    public MaintenanceMiddleware(RequestDelegate next, RequestGates gates, HttpDrainOptions options, TimeProvider timeProvider, GrpcCallGate? grpc, string grpcMessage)
    {
        _next = next;
        _gate = gates.Http;
        _skip = new SkipRules(options);
        _refusal = new MaintenanceRefusal(options, timeProvider);
        _grpc = grpc;
        _grpcMessage = grpcMessage;
    }

    /// <summary>
    /// Builds the middleware from the registered options (validated now, so a bad value fails at start-up, naming the
    /// field) for <c>app.Use(...)</c>.
    /// </summary>
    public static Func<RequestDelegate, RequestDelegate> Factory(IServiceProvider services, RequestGates gates)
    {
        var httpOptions = services.GetRequiredService<IOptions<HttpDrainOptions>>().Value;
        httpOptions.Validate();
        var grpc = services.GetService<GrpcCallGate>();
        var grpcOptions = grpc is null ? new GrpcDrainOptions() : services.GetRequiredService<IOptions<GrpcDrainOptions>>().Value;
        grpcOptions.Validate();
        var timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        // Resolving the coordinator binds and validates every maintenance option now, so a bad setting stops the
        // application before it listens instead of when the actor system starts.
        _ = services.GetService<IMaintenance>();
        var grpcMessage = grpcOptions.UnavailableMessage;
        return next => new MaintenanceMiddleware(next, gates, httpOptions, timeProvider, grpc, grpcMessage).InvokeAsync;
    }

    public Task InvokeAsync(HttpContext context)
    {
        bool isGrpc = GrpcResponses.IsGrpcContentType(context.Request.ContentType);
        if (isGrpc && _grpc is not null)
        {
            return _grpc.InvokeAsync(context, _next);
        }

        if (_skip.IsMatch(context))
        {
            return _next(context);
        }

        if (!_gate.TryEnter())
        {
            // A gRPC client cannot read problem+json: without a gRPC drain its calls share the HTTP gate but get a gRPC refusal.
            if (isGrpc)
            {
                GrpcCallGate.WriteRefusal(context.Response, _gate.Closure, _grpcMessage);
                return Task.CompletedTask;
            }

            return _refusal.WriteAsync(context, _gate.Closure);
        }

        return RunAdmitted(context);
    }

    /// <summary>Runs an admitted request and uncounts it however it ends; no allocation when the pipeline completes synchronously.</summary>
    private Task RunAdmitted(HttpContext context)
    {
        Task pipeline;
        try
        {
            pipeline = _next(context);
        }
        catch
        {
            _gate.Exit();
            throw;
        }

        if (pipeline.IsCompletedSuccessfully)
        {
            _gate.Exit();
            return pipeline;
        }

        return ExitWhenDoneAsync(pipeline);
    }

    private async Task ExitWhenDoneAsync(Task pipeline)
    {
        try
        {
            await pipeline;
        }
        finally
        {
            _gate.Exit();
        }
    }
}
