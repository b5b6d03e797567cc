using System.Threading.Channels;
using Google.Protobuf;

namespace MaintenanceActors.Grpc;

/// <summary>
/// One streaming call (server-streaming or duplex). The HTTP request starts at construction; reads await the response.
/// One reader and any number of writers may use it at once. Disposing aborts the stream.
/// </summary>
internal sealed class GrpcStreamingCall<TResponse> : IAsyncDisposable
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcCallInvoker invoker;
    private readonly string method;
    private readonly MessageParser<TResponse> parser;
    private readonly Channel<byte[]> outgoing = Channel.CreateUnbounded<byte[]>(new() { SingleReader = true });
    private readonly CallCancellation cancellation;
    private readonly HttpRequestMessage request;
    private readonly Task<HttpResponseMessage> responseTask;
    private HttpResponseMessage? response;
    private Stream? body;
    private bool finished;

    internal GrpcStreamingCall(GrpcCallInvoker invoker, Uri endpoint, string method, MessageParser<TResponse> parser,
        GrpcCallOptions options, byte[]? singleRequest, CancellationToken cancellationToken)
    {
        this.invoker = invoker;
        this.method = method;
        this.parser = parser;
        Endpoint = endpoint;
        cancellation = new CallCancellation(options.Deadline, invoker.Time, cancellationToken);
        if (singleRequest is not null)
        {
            outgoing.Writer.TryWrite(singleRequest);
            outgoing.Writer.TryComplete();
        }
        request = GrpcCallInvoker.CreateRequest(endpoint, method, options, cancellation, new StreamingRequestContent(outgoing.Reader));
        responseTask = invoker.SendAsync(request, cancellation.Token);
    }

    /// <summary>The endpoint this call went to.</summary>
    public Uri Endpoint { get; }

    /// <summary>Queues a request message; it is sent as soon as the HTTP/2 stream accepts data.</summary>
    public void Write(IMessage message)
    {
        var frame = GrpcFraming.Frame(message, invoker.MaxSendMessageSize);
        if (!outgoing.Writer.TryWrite(frame))
            throw new InvalidOperationException($"The request stream of {method} is already complete");
    }

    /// <summary>Ends the request stream (half-close); responses can still be read.</summary>
    public void CompleteWrites() => outgoing.Writer.TryComplete();

    /// <summary>Waits for the response headers; throws when the call failed before any message (incl. trailers-only errors).</summary>
    public async Task WaitForHeadersAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await EnsureBodyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (GrpcCallInvoker.Translate(ex, cancellation, Endpoint, method) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Reads the next response; null when the server ended the stream with status OK. Throws <see cref="GrpcCallException"/> otherwise.</summary>
    public async ValueTask<TResponse?> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (finished)
            return null;
        try
        {
            var stream = await EnsureBodyAsync(cancellationToken).ConfigureAwait(false);
            if (stream is null)
            {
                finished = true;
                return null;
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation.Token, cancellationToken);
            var message = await GrpcFraming.ReadMessageAsync(stream, parser, invoker.MaxReceiveMessageSize, linked.Token).ConfigureAwait(false);
            if (message is not null)
                return message;
            finished = true;
            var status = GrpcResponseStatus.FromTrailers(response!);
            if (status is not null)
                throw status;
            return null;
        }
        catch (Exception ex) when (GrpcCallInvoker.Translate(ex, cancellation, Endpoint, method) is { } translated)
        {
            throw translated;
        }
    }

    private async ValueTask<Stream?> EnsureBodyAsync(CancellationToken cancellationToken)
    {
        if (response is not null)
            return body;
        var received = await responseTask.WaitAsync(cancellationToken).ConfigureAwait(false);
        response = received;
        var status = GrpcResponseStatus.CheckHeaders(received, out var trailersOnly);
        if (status is not null)
            throw status;
        if (trailersOnly)
            return null;
        body = await received.Content.ReadAsStreamAsync(cancellation.Token).ConfigureAwait(false);
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        outgoing.Writer.TryComplete();
        cancellation.Cancel();
        try
        {
            (await responseTask.ConfigureAwait(false)).Dispose();
        }
        catch
        {
            // The call failed or was cancelled; its error was (or will never be) observed by a reader.
        }
        request.Dispose();
        cancellation.Dispose();
    }
}
