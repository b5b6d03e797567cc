using Google.Protobuf;
using MaintenanceActors.Etcd.Protocol;
using MaintenanceActors.Grpc;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Etcd;

/// <summary>
/// The call path every etcd request takes: endpoint failover (round robin from the last good endpoint),
/// the auth token as <c>token</c> metadata, and one re-authentication when etcd rejects the token.
/// </summary>
internal sealed partial class EtcdConnection : IDisposable
{
    private const string TokenHeader = "token";
    private readonly GrpcCallInvoker invoker;
    private readonly ServerCertificateValidator validator;
    private readonly EtcdClientOptions options;
    private readonly ILogger logger;
    private readonly SemaphoreSlim authLock = new(1, 1);
    private (string User, string Password)? credentials;
    private volatile string? token;
    private int preferred;

    public EtcdConnection(EtcdClientOptions options, ILogger logger)
    {
        this.options = options;
        this.logger = logger;
        Endpoints = options.GetEndpointUris();
        validator = new ServerCertificateValidator(options.CaCertificatePath, options.ServerName);
        invoker = new GrpcCallInvoker(EtcdHttpHandler.Create(options, validator), options.TimeProvider,
            options.MaxMessageSize, options.MaxMessageSize);
        if (!string.IsNullOrEmpty(options.Username))
            credentials = (options.Username, options.Password ?? "");
    }

    public IReadOnlyList<Uri> Endpoints { get; }

    public GrpcCallInvoker Invoker => invoker;

    public bool HasCredentials => credentials is not null;

    public TimeProvider Time => options.TimeProvider;

    /// <summary>The endpoint calls go to first: the last one that answered.</summary>
    public Uri PreferredEndpoint => Endpoints[Volatile.Read(ref preferred)];

    /// <summary>Current auth token (null without credentials); tests replace it to simulate an expired token.</summary>
    internal string? Token
    {
        get => token;
        set => token = value;
    }

    /// <summary>
    /// Runs a unary call with failover and token refresh. A call that is not <paramref name="idempotent"/> moves to another endpoint
    /// only when it surely never reached the first one, so a write is never applied twice.
    /// </summary>
    public async Task<TResponse> UnaryAsync<TResponse>(string method, IMessage request, MessageParser<TResponse> parser,
        bool idempotent, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        for (var attempt = 0; ; attempt++)
        {
            var metadata = await GetMetadataAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await WithFailoverAsync(
                    (endpoint, ct) => invoker.UnaryAsync(endpoint, method, request, parser, new GrpcCallOptions(metadata, Deadline()), ct),
                    cancellationToken, idempotent).ConfigureAwait(false);
            }
            catch (GrpcCallException ex) when (attempt == 0 && credentials is not null && IsTokenRejected(ex))
            {
                LogTokenRejected(logger, method, ex.Detail);
                InvalidateToken(metadata);
            }
            catch (GrpcCallException ex)
            {
                throw EtcdException.From(ex);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> on each endpoint in turn, starting with the preferred one, until one does not fail at the transport
    /// level; remembers it. Throws <see cref="EtcdConnectionException"/> naming every endpoint when all fail.
    /// </summary>
    public async Task<T> WithFailoverAsync<T>(Func<Uri, CancellationToken, Task<T>> call, CancellationToken cancellationToken,
        bool idempotent = true)
    {
        var start = Volatile.Read(ref preferred);
        var failures = new List<(Uri Endpoint, GrpcCallException Error)>();
        for (var i = 0; i < Endpoints.Count; i++)
        {
            var index = (start + i) % Endpoints.Count;
            var endpoint = Endpoints[index];
            try
            {
                var result = await call(endpoint, cancellationToken).ConfigureAwait(false);
                if (index != start)
                {
                    Volatile.Write(ref preferred, index);
                    LogSwitchedEndpoint(logger, endpoint);
                }
                return result;
            }
            catch (GrpcCallException ex) when (ex.IsTransportFailure)
            {
                LogEndpointFailed(logger, endpoint, ex.Detail);
                failures.Add((endpoint, ex));
                if (!idempotent && !ex.RequestNotSent)
                    throw ConnectionFailure(failures, " (not retried elsewhere: the request may have been applied)");
            }
        }
        throw ConnectionFailure(failures, "");
    }

    /// <summary>Metadata for a call: the auth token, authenticating first when credentials are set and no token is cached.</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>?> GetMetadataAsync(CancellationToken cancellationToken)
    {
        if (credentials is null)
            return null;
        var current = token ?? await AuthenticateAsync(cancellationToken).ConfigureAwait(false);
        return [new(TokenHeader, current)];
    }

    /// <summary>Drops the token that was used by a rejected call, unless another call already replaced it.</summary>
    public void InvalidateToken(IReadOnlyList<KeyValuePair<string, string>>? usedMetadata)
    {
        var used = usedMetadata?.FirstOrDefault(m => m.Key == TokenHeader).Value;
        Interlocked.CompareExchange(ref token, null, used);
    }

    public static bool IsTokenRejected(GrpcCallException ex) =>
        ex.StatusCode == GrpcStatusCode.Unauthenticated
        || ex.Detail.Contains("invalid auth token", StringComparison.Ordinal)
        || ex.Detail.Contains("revision of auth store is old", StringComparison.Ordinal);

    public async Task SetCredentialsAsync(string user, string password, CancellationToken cancellationToken)
    {
        credentials = (user, password);
        token = null;
        await AuthenticateAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> AuthenticateAsync(CancellationToken cancellationToken)
    {
        await authLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (token is { } fresh)
                return fresh;
            var (user, password) = credentials!.Value;
            var request = new AuthenticateRequest { Name = user, Password = password };
            try
            {
                var response = await WithFailoverAsync(
                    (endpoint, ct) => invoker.UnaryAsync(endpoint, EtcdMethods.Authenticate, request, AuthenticateResponse.Parser,
                        new GrpcCallOptions(null, Deadline()), ct),
                    cancellationToken).ConfigureAwait(false);
                token = response.Token;
                return response.Token;
            }
            catch (GrpcCallException ex)
            {
                throw new EtcdException(ex.StatusCode, $"Authenticating as '{user}' failed: {ex.Detail}", ex);
            }
        }
        finally
        {
            authLock.Release();
        }
    }

    private DateTimeOffset? Deadline() =>
        options.RequestTimeout == Timeout.InfiniteTimeSpan ? null : options.TimeProvider.GetUtcNow() + options.RequestTimeout;

    private EtcdConnectionException ConnectionFailure(List<(Uri Endpoint, GrpcCallException Error)> failures, string note)
    {
        var tried = failures.Select(f => f.Endpoint).ToList();
        var tls = validator.LastFailure;
        var reasons = string.Join("; ", failures.Select(f =>
            $"{f.Endpoint}: {f.Error.Detail}{(tls is not null && IsTlsFailure(f.Error) ? $" ({tls})" : "")}"));
        return new EtcdConnectionException(tried,
            $"Could not reach etcd at any of {tried.Count} endpoint(s) [{string.Join(", ", tried)}]: {reasons}{note}",
            failures.LastOrDefault().Error);
    }

    private static bool IsTlsFailure(Exception ex)
    {
        for (var current = ex; current is not null; current = current.InnerException)
        {
            if (current is System.Security.Authentication.AuthenticationException)
                return true;
        }
        return false;
    }

    public void Dispose()
    {
        invoker.Dispose();
        authLock.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "etcd endpoint {Endpoint} failed: {Reason}")]
    private static partial void LogEndpointFailed(ILogger logger, Uri endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "etcd calls now go to {Endpoint}")]
    private static partial void LogSwitchedEndpoint(ILogger logger, Uri endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "etcd rejected the auth token on {Method} ({Reason}); authenticating again")]
    private static partial void LogTokenRejected(ILogger logger, string method, string reason);
}
