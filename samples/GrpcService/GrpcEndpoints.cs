using System.Globalization;
using Google.Protobuf;
using MaintenanceActors.Grpc;

namespace GrpcService;

/// <summary>
/// Serves gRPC methods by hand at the HTTP/2 level with the shared framing (no gRPC server library
/// is needed): read the request frame, write response frames, end with grpc-status in the trailers.
/// </summary>
internal static class GrpcEndpoints
{
    /// <summary>A unary method: one request, one response (or a failing status).</summary>
    public static IEndpointConventionBuilder MapUnary<TRequest>(this IEndpointRouteBuilder app, string method, MessageParser<TRequest> parser,
        Func<TRequest, CancellationToken, Task<IMessage>> handler)
        where TRequest : class, IMessage<TRequest> =>
        app.MapPost(method, async context =>
        {
            if (await ReadRequestAsync(context, parser) is not { } request)
            {
                return;
            }

            try
            {
                var response = await handler(request, context.RequestAborted);
                Start(context);
                await GrpcFraming.WriteMessageAsync(context.Response.Body, response, context.RequestAborted);
                Trailers(context, GrpcStatusCode.OK, null);
            }
            catch (GrpcCallException ex)
            {
                Fail(context, ex.StatusCode, ex.Detail);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
            {
                // A gRPC client cannot read an HTTP 500; it gets INTERNAL like from any gRPC server.
                Fail(context, GrpcStatusCode.Internal, "Internal error");
            }
        });

    /// <summary>A server-streaming method: one request, any number of responses.</summary>
    public static IEndpointConventionBuilder MapServerStreaming<TRequest>(this IEndpointRouteBuilder app, string method, MessageParser<TRequest> parser,
        Func<TRequest, Func<IMessage, Task>, CancellationToken, Task> handler)
        where TRequest : class, IMessage<TRequest> =>
        app.MapPost(method, async context =>
        {
            if (await ReadRequestAsync(context, parser) is not { } request)
            {
                return;
            }

            Start(context);
            await handler(request, m => GrpcFraming.WriteMessageAsync(context.Response.Body, m, context.RequestAborted).AsTask(), context.RequestAborted);
            Trailers(context, GrpcStatusCode.OK, null);
        });

    /// <summary>Anything else is UNIMPLEMENTED, as a gRPC server answers unknown methods.</summary>
    public static void MapUnimplemented(this IEndpointRouteBuilder app) =>
        app.MapFallback(context =>
        {
            Fail(context, GrpcStatusCode.Unimplemented, $"Method not found: {context.Request.Path}");
            return Task.CompletedTask;
        });

    private static async Task<TRequest?> ReadRequestAsync<TRequest>(HttpContext context, MessageParser<TRequest> parser)
        where TRequest : class, IMessage<TRequest>
    {
        try
        {
            var request = await GrpcFraming.ReadMessageAsync(context.Request.Body, parser, cancellationToken: context.RequestAborted);
            if (request is null)
            {
                Fail(context, GrpcStatusCode.Internal, "Missing request message");
            }

            return request;
        }
        catch (GrpcCallException ex)
        {
            Fail(context, ex.StatusCode, ex.Detail);
            return null;
        }
    }

    private static void Start(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = GrpcProtocol.ContentType;
    }

    /// <summary>A call that sent nothing yet: status in the headers (trailers-only response).</summary>
    private static void Fail(HttpContext context, GrpcStatusCode code, string message)
    {
        Start(context);
        context.Response.Headers[GrpcProtocol.StatusHeader] = ((int)code).ToString(CultureInfo.InvariantCulture);
        context.Response.Headers[GrpcProtocol.MessageHeader] = GrpcStatusMessage.Encode(message);
    }

    private static void Trailers(HttpContext context, GrpcStatusCode code, string? message)
    {
        context.Response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)code).ToString(CultureInfo.InvariantCulture));
        if (message is not null)
        {
            context.Response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcStatusMessage.Encode(message));
        }
    }
}
