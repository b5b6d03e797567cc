using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace MaintenanceActors.AspNetCore.Grpc;

/// <summary>
/// The response stream an admitted streaming call writes to: a write that the call's token cancels ends the stream
/// with the drain's UNAVAILABLE, not with a reset.
/// </summary>
/// <remarks>
/// Grpc.AspNetCore resets the HTTP/2 stream (the client sees CANCELLED) when the token given to
/// <c>WriteAsync(message, token)</c> fires while that write is running. A handler that passes its call's token
/// to every write would then lose the drain's UNAVAILABLE whenever the drain's end landed during a write rather
/// than between writes. So the write itself runs without the token and the token is checked around it: a cancel
/// before the write throws at once, a cancel during a write that completes within <see cref="DefaultWriteGrace"/>
/// lets the write finish (the next write or wait throws), and only a write still blocked after that (a client
/// that does not read) aborts the request, as the framework would have at once.
/// </remarks>
internal sealed class DrainAwareStreamWriter<T>(IServerStreamWriter<T> inner, HttpContext httpContext, TimeSpan? writeGrace = null)
    : IServerStreamWriter<T>
{
    /// <summary>How long a write caught by the token may still take before the request is aborted.</summary>
    public static readonly TimeSpan DefaultWriteGrace = TimeSpan.FromSeconds(1);

    private readonly TimeSpan _writeGrace = writeGrace ?? DefaultWriteGrace;

    public WriteOptions? WriteOptions
    {
        get => inner.WriteOptions;
        set => inner.WriteOptions = value;
    }

    public Task WriteAsync(T message) => inner.WriteAsync(message);

    public Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return inner.WriteAsync(message);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var write = inner.WriteAsync(message);
        return write.IsCompleted ? write : WaitAsync(write, cancellationToken);
    }

    private async Task WaitAsync(Task write, CancellationToken cancellationToken)
    {
        try
        {
            await write.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            try
            {
                await write.WaitAsync(_writeGrace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                httpContext.Abort();
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }
}
