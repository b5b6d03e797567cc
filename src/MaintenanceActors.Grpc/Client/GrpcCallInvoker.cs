using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace MaintenanceActors.Grpc;

/// <summary>Issues gRPC calls over an HTTP/2 <see cref="HttpMessageInvoker"/> (h2c for http://, TLS for https://).</summary>
internal sealed class GrpcCallInvoker : IDisposable
{
    private static readonly TransferCodingWithQualityHeaderValue Trailers = new("trailers");
    private readonly HttpMessageInvoker http;

    public GrpcCallInvoker(HttpMessageHandler handler, TimeProvider time,
        int maxReceiveMessageSize = GrpcProtocol.DefaultMaxMessageSize, int maxSendMessageSize = GrpcProtocol.DefaultMaxMessageSize)
    {
        http = new HttpMessageInvoker(handler, disposeHandler: true);
        Time = time;
        MaxReceiveMessageSize = maxReceiveMessageSize;
        MaxSendMessageSize = maxSendMessageSize;
    }

    public TimeProvider Time { get; }

    public int MaxReceiveMessageSize { get; }

    public int MaxSendMessageSize { get; }

    public async Task<TResponse> UnaryAsync<TResponse>(Uri endpoint, string method, IMessage request, MessageParser<TResponse> parser,
        GrpcCallOptions options, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        var frame = GrpcFraming.Frame(request, MaxSendMessageSize);
        using var cancellation = new CallCancellation(options.Deadline, Time, cancellationToken);
        var content = new ByteArrayContent(frame);
        content.Headers.ContentType = new(GrpcProtocol.ContentType);
        using var httpRequest = CreateRequest(endpoint, method, options, cancellation, content);
        try
        {
            ThrowIfDeadlinePassed(cancellation, endpoint, method);
            using var response = await http.SendAsync(httpRequest, cancellation.Token).ConfigureAwait(false);
            var headerStatus = GrpcResponseStatus.CheckHeaders(response, out var trailersOnly);
            if (headerStatus is not null)
                throw headerStatus;
            if (trailersOnly)
                throw new GrpcCallException(GrpcStatusCode.Internal, $"{method} ended with status OK but without a response message");
            var body = await response.Content.ReadAsStreamAsync(cancellation.Token).ConfigureAwait(false);
            var message = await GrpcFraming.ReadMessageAsync(body, parser, MaxReceiveMessageSize, cancellation.Token).ConfigureAwait(false);
            // Reading to the end of the body is what makes the trailers (and so the status) available.
            var extra = message is null ? null : await GrpcFraming.ReadFrameAsync(body, MaxReceiveMessageSize, cancellation.Token).ConfigureAwait(false);
            var status = GrpcResponseStatus.FromTrailers(response);
            if (status is not null)
                throw status;
            if (message is null)
                throw new GrpcCallException(GrpcStatusCode.Internal, $"{method} ended with status OK but without a response message");
            if (extra is not null)
                throw new GrpcCallException(GrpcStatusCode.Internal, $"{method} is unary but the server sent more than one message");
            return message;
        }
        catch (Exception ex) when (Translate(ex, cancellation, endpoint, method) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Starts a server-streaming call: one request message, then a stream of responses.</summary>
    public GrpcStreamingCall<TResponse> ServerStreaming<TResponse>(Uri endpoint, string method, IMessage request, MessageParser<TResponse> parser,
        GrpcCallOptions options, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        var frame = GrpcFraming.Frame(request, MaxSendMessageSize);
        return new GrpcStreamingCall<TResponse>(this, endpoint, method, parser, options, frame, cancellationToken);
    }

    /// <summary>Starts a duplex call: requests are written while responses are read, on one HTTP/2 stream.</summary>
    public GrpcStreamingCall<TResponse> Duplex<TResponse>(Uri endpoint, string method, MessageParser<TResponse> parser,
        GrpcCallOptions options, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse> =>
        new(this, endpoint, method, parser, options, null, cancellationToken);

    internal Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        http.SendAsync(request, cancellationToken);

    internal static HttpRequestMessage CreateRequest(Uri endpoint, string method, GrpcCallOptions options, CallCancellation cancellation,
        HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TE.Add(Trailers);
        request.Headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, "identity");
        if (cancellation.Remaining is { } remaining)
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(remaining));
        if (options.Metadata is { } metadata)
        {
            foreach (var (name, value) in metadata)
                request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    internal static void ThrowIfDeadlinePassed(CallCancellation cancellation, Uri endpoint, string method)
    {
        if (cancellation.Remaining is { } remaining && remaining <= TimeSpan.Zero)
            throw new GrpcCallException(GrpcStatusCode.DeadlineExceeded, $"The deadline of {method} on {endpoint} had passed before the call started");
    }

    /// <summary>Maps a failure below gRPC to a status; null leaves the exception as it is (a status, or the caller's cancellation).</summary>
    internal static Exception? Translate(Exception ex, CallCancellation cancellation, Uri endpoint, string method)
    {
        switch (ex)
        {
            case GrpcCallException:
                return null;
            case OperationCanceledException when cancellation.DeadlineReached:
                return new GrpcCallException(GrpcStatusCode.DeadlineExceeded, $"Deadline exceeded for {method} on {endpoint}", ex);
            case OperationCanceledException:
                return null;
            case HttpRequestException request:
                return new GrpcCallException(GrpcStatusCode.Unavailable, $"Cannot reach {endpoint}: {Describe(ex)}", ex)
                {
                    IsTransportFailure = true,
                    RequestNotSent = request.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                        or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError,
                };
            case HttpProtocolException protocol:
                var code = protocol.ErrorCode switch
                {
                    0x7 => GrpcStatusCode.Unavailable, // REFUSED_STREAM: not processed, safe to retry
                    0x8 => GrpcStatusCode.Cancelled,
                    0xB => GrpcStatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
                    0xC => GrpcStatusCode.PermissionDenied, // INADEQUATE_SECURITY
                    _ => GrpcStatusCode.Internal,
                };
                return new GrpcCallException(code, $"The HTTP/2 stream to {endpoint} was reset (error 0x{protocol.ErrorCode:X}): {protocol.Message}", ex)
                {
                    IsTransportFailure = code == GrpcStatusCode.Unavailable,
                    RequestNotSent = protocol.ErrorCode == 0x7,
                };
            case IOException:
                return new GrpcCallException(GrpcStatusCode.Unavailable, $"The connection to {endpoint} was lost: {Describe(ex)}", ex)
                {
                    IsTransportFailure = true,
                };
            default:
                return null;
        }
    }

    /// <summary>Joins the messages of an exception chain, so "SSL failed, see inner exception" still tells the reason.</summary>
    internal static string Describe(Exception ex)
    {
        var parts = new List<string>();
        for (var current = ex; current is not null; current = current.InnerException)
        {
            if (!parts.Contains(current.Message))
                parts.Add(current.Message);
        }
        return string.Join(" -> ", parts);
    }

    public void Dispose() => http.Dispose();
}
