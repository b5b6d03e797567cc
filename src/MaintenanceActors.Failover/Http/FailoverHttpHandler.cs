using System.Net;
using System.Net.Http.Headers;

namespace MaintenanceActors.Failover.Http;

/// <summary>
/// Sends a request for <c>http://{service}/…</c> to an endpoint the failover registry selects (never one in maintenance, open-
/// circuited or unhealthy). An idempotent request that fails to connect, or is answered 503 or gRPC UNAVAILABLE, is sent again
/// to another endpoint through <see cref="IFailoverClient.ExecuteWithFailoverAsync{T}"/>, so each try is one attempt of one
/// retry loop (do not add another retry handler around it, or tries multiply).
/// </summary>
/// <remarks>
/// Idempotent: GET, HEAD, OPTIONS, TRACE, PUT, DELETE, a request carrying <c>Idempotency-Key</c>, and gRPC methods named in
/// <see cref="FailoverHttpOptions.IdempotentGrpcMethods"/>; other requests get one attempt. A request body is buffered before
/// the first try so it can be sent again (gRPC bodies are produced anew by the gRPC client). When every try was answered 503 or
/// UNAVAILABLE, the last answer is returned; when none could be made, an <see cref="HttpRequestException"/> says why.
/// After the call, <c>response.RequestMessage.RequestUri</c> names the endpoint that answered.
/// </remarks>
public sealed class FailoverHttpHandler : DelegatingHandler
{
    private static readonly HashSet<HttpMethod> IdempotentMethods =
        [HttpMethod.Get, HttpMethod.Head, HttpMethod.Options, HttpMethod.Trace, HttpMethod.Put, HttpMethod.Delete];

    private readonly IFailoverClient _client;
    private readonly FailoverHttpOptions _options;

    /// <summary>A handler over <paramref name="client"/>; set <see cref="DelegatingHandler.InnerHandler"/> unless an HttpClient factory does.</summary>
    public FailoverHttpHandler(IFailoverClient client, FailoverHttpOptions? options = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? new FailoverHttpOptions();
        _options.Validate();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.RequestUri;
        if (original is null || !original.IsAbsoluteUri || !_options.IsService(original.Host))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        var grpc = IsGrpc(request);
        var retriable = IsIdempotent(request, grpc);
        if (retriable && !grpc && request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }
        var rejected = new List<HttpResponseMessage>();
        var failover = new FailoverRequest(original.Host)
        {
            MaxAttempts = retriable ? _options.MaxAttempts : 1,
            Region = _options.Region,
            Key = _options.Key?.Invoke(request),
            IsFailure = result =>
            {
                if (result is HttpResponseMessage response && IsRefusal(response))
                {
                    rejected.Add(response);
                    return true;
                }
                return false;
            },
        };
        var outcome = await _client.ExecuteWithFailoverAsync(failover, (endpoint, ct) =>
        {
            request.RequestUri = Resolve(original, endpoint);
            return base.SendAsync(request, ct);
        }, cancellationToken).ConfigureAwait(false);

        if (outcome.Success && outcome.Result is { } answered)
        {
            DisposeAll(rejected, except: null);
            return answered;
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (rejected.Count > 0)
        {
            // Every try was refused: the caller sees the last refusal as the service answered it.
            var last = rejected[^1];
            DisposeAll(rejected, except: last);
            return last;
        }
        var error = outcome.Error;
        throw new HttpRequestException(
            $"{request.Method} {original} failed after {outcome.Attempts} attempt(s): {error?.Message ?? "no endpoint answered"}",
            error, error is FailoverNotFoundException ? null : HttpStatusCode.ServiceUnavailable);
    }

    /// <summary>The request's URI with the service name replaced by the endpoint's address and port.</summary>
    internal static Uri Resolve(Uri original, ServiceEndpoint endpoint)
    {
        var scheme = endpoint.Protocol == "https" ? Uri.UriSchemeHttps : original.Scheme;
        return new UriBuilder(original) { Scheme = scheme, Host = endpoint.Address, Port = endpoint.Port }.Uri;
    }

    private bool IsIdempotent(HttpRequestMessage request, bool grpc)
    {
        if (grpc)
        {
            return _options.IdempotentGrpcMethods.Contains("*") || _options.IdempotentGrpcMethods.Contains(request.RequestUri!.AbsolutePath);
        }
        return IdempotentMethods.Contains(request.Method) || request.Headers.Contains("Idempotency-Key");
    }

    private static bool IsGrpc(HttpRequestMessage request) =>
        request.Content?.Headers.ContentType is MediaTypeHeaderValue { MediaType: { } type } && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>503, or a trailers-only gRPC answer with status 14 (UNAVAILABLE): the instance refused the call.</summary>
    internal static bool IsRefusal(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.ServiceUnavailable
        || (response.Headers.TryGetValues("grpc-status", out var status) && status.FirstOrDefault() == "14");

    private static void DisposeAll(List<HttpResponseMessage> responses, HttpResponseMessage? except)
    {
        foreach (var response in responses)
        {
            if (!ReferenceEquals(response, except))
            {
                response.Dispose();
            }
        }
    }
}
