using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace MaintenanceActors.AspNetCore.Grpc;

/// <summary>
/// Registered on every Grpc.AspNetCore service by AddGrpcDrain: a call the drain ended (at its deadline or
/// after EndCallsAfter) finishes with UNAVAILABLE and the maintenance reason, whatever the handler threw
/// on the cancelled token, instead of Grpc.AspNetCore's CANCELLED or UNKNOWN.
/// </summary>
/// <remarks>
/// A streaming handler that returns normally after the end was asked was cut short by the drain, so it gets
/// UNAVAILABLE too; a unary or client-streaming handler that completed keeps its answer.
/// </remarks>
internal sealed class GrpcDrainInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (EndedByDrain(context, ex) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception ex) when (EndedByDrain(context, ex) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, Writer(responseStream, context), context);
        }
        catch (Exception ex) when (EndedByDrain(context, ex) is { } status)
        {
            throw new RpcException(status);
        }

        ThrowIfEndedByDrain(context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, Writer(responseStream, context), context);
        }
        catch (Exception ex) when (EndedByDrain(context, ex) is { } status)
        {
            throw new RpcException(status);
        }

        ThrowIfEndedByDrain(context);
    }

    /// <summary>Admitted calls write through <see cref="DrainAwareStreamWriter{T}"/>; others (health, skipped methods) write as they are.</summary>
    private static IServerStreamWriter<T> Writer<T>(IServerStreamWriter<T> responseStream, ServerCallContext context) =>
        Call(context) is null ? responseStream : new DrainAwareStreamWriter<T>(responseStream, context.GetHttpContext());

    private static void ThrowIfEndedByDrain(ServerCallContext context)
    {
        if (Call(context) is { EndedByDrain: true } call)
        {
            throw new RpcException(call.EndedStatus);
        }
    }

    /// <summary>
    /// The status to end with when the drain's end request is what stopped the handler (it threw on the cancelled
    /// token or on the stream it cancelled); null leaves the failure as it is, as does a status the handler chose.
    /// </summary>
    private static Status? EndedByDrain(ServerCallContext context, Exception ex) =>
        ex is not RpcException { StatusCode: not StatusCode.Cancelled }
        && Call(context) is { EndedByDrain: true } call
            ? call.EndedStatus
            : null;

    private static AdmittedGrpcCall? Call(ServerCallContext context) => context.GetHttpContext().Features.Get<AdmittedGrpcCall>();
}
