using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using dotnet_etcd;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Etcd;

/// <summary>The one place an etcd client is built from <see cref="EtcdSourceOptions"/>: endpoints, TLS, client certificate and credentials.</summary>
internal static partial class EtcdClientFactory
{
    // Long watches must notice a peer that went silent (no FIN, no RST) within seconds, not the client's default minute.
    private static readonly TimeSpan KeepAlivePingDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan KeepAlivePingTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private static readonly ConditionalWeakTable<EtcdClient, EtcdServerCertificateValidator> Validators = new();
    private static readonly ConditionalWeakTable<EtcdClient, ILogger> Loggers = new();

    /// <summary>
    /// A client for <paramref name="options"/>' endpoints (validated first). <c>https://</c> endpoints go through the constructor with SSL
    /// options (the plain one connects without TLS whatever the scheme says), trusting only <see cref="EtcdSourceOptions.CaCertificatePath"/>
    /// when set and presenting the client certificate when set; with a user name the client authenticates and re-authenticates itself.
    /// </summary>
    /// <param name="options">Validated first; its endpoints, TLS files and credentials are used.</param>
    /// <param name="logger">Where the client's creation and the backend's re-authentications over it are logged.</param>
    public static EtcdClient Create(EtcdSourceOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var endpoints = options.EndpointUris();
        var connectionString = string.Join(",", endpoints.Select(u => $"{u.Scheme}://{u.Authority}"));
        // The channel's authority (and TLS target name) is one name for all endpoints; the certificate check covers each host itself.
        var serverName = endpoints[0].Host.Trim('[', ']');
        EtcdClient client;
        if (endpoints[0].Scheme == Uri.UriSchemeHttps)
        {
            var validator = new EtcdServerCertificateValidator(options.CaCertificatePath, endpoints.Select(u => u.Host));
            var clientCertificate = LoadClientCertificate(options);
            client = new EtcdClient(connectionString, ssl =>
            {
                ssl.TargetHost = serverName;
                ssl.RemoteCertificateValidationCallback = validator.Validate;
                if (clientCertificate is not null)
                {
                    ssl.ClientCertificates = new X509CertificateCollection { clientCertificate };
                }
            }, serverName: serverName, configureChannelOptions: ConfigureChannel, interceptors: [new WaitForReadyUnaryCalls()]);
            Validators.AddOrUpdate(client, validator);
        }
        else
        {
            client = new EtcdClient(connectionString, serverName: serverName, configureChannelOptions: ConfigureChannel,
                interceptors: [new WaitForReadyUnaryCalls()]);
        }
        if (!string.IsNullOrEmpty(options.Username))
        {
            client.SetCredentials(options.Username, options.Password!);
        }
        if (logger is not null)
        {
            Loggers.AddOrUpdate(client, logger);
            LogCreated(logger, connectionString, endpoints[0].Scheme == Uri.UriSchemeHttps, options.CaCertificatePath ?? "the system store",
                !string.IsNullOrEmpty(options.ClientCertificatePath), options.Username ?? "(none)");
        }
        return client;
    }

    /// <summary>Why the last TLS handshake of a client from <see cref="Create"/> was refused, if one was; null otherwise.</summary>
    public static string? TlsFailureOf(EtcdClient client) =>
        Validators.TryGetValue(client, out var validator) ? validator.LastFailure : null;

    /// <summary>The logger given to <see cref="Create"/> for <paramref name="client"/>, if any.</summary>
    public static ILogger? LoggerOf(EtcdClient client) => Loggers.TryGetValue(client, out var logger) ? logger : null;

    [LoggerMessage(Level = LogLevel.Information,
        Message = "etcd client for {Endpoints} (TLS: {Tls}, trusting {Ca}, client certificate: {ClientCertificate}, user: {User})")]
    private static partial void LogCreated(ILogger logger, string endpoints, bool tls, string ca, bool clientCertificate, string user);

    private static void ConfigureChannel(GrpcChannelOptions channel)
    {
        // After an outage the channel reconnects on its own schedule (by default up to 2 minutes apart); keep it short, so the
        // watcher's own backoff decides how soon it is back.
        channel.InitialReconnectBackoff = TimeSpan.FromMilliseconds(200);
        channel.MaxReconnectBackoff = TimeSpan.FromSeconds(2);
        if (channel.ServiceConfig is { } config)
        {
            config.MethodConfigs.Clear();
            config.MethodConfigs.Add(UnaryCalls);
            config.MethodConfigs.Add(WatchStream);
        }
        if (channel.HttpHandler is SocketsHttpHandler handler)
        {
            handler.KeepAlivePingDelay = KeepAlivePingDelay;
            handler.KeepAlivePingTimeout = KeepAlivePingTimeout;
            handler.ConnectTimeout = ConnectTimeout;
        }
    }

    // Unary calls are retried when an endpoint turns out unavailable, which also moves them to another endpoint.
    private static readonly MethodConfig UnaryCalls = new()
    {
        Names = { MethodName.Default },
        RetryPolicy = new RetryPolicy
        {
            MaxAttempts = 3,
            InitialBackoff = TimeSpan.FromMilliseconds(200),
            MaxBackoff = TimeSpan.FromSeconds(2),
            BackoffMultiplier = 2,
            RetryableStatusCodes = { StatusCode.Unavailable },
        },
    };

    // The watch stream neither waits nor retries: the watcher reconnects itself, with backoff and jitter, from the last seen
    // revision, and reports the failure meanwhile; waiting or retrying underneath would only hide it.
    private static readonly MethodConfig WatchStream = new() { Names = { new MethodName { Service = "etcdserverpb.Watch" } } };

    private static X509Certificate2? LoadClientCertificate(EtcdSourceOptions options)
    {
        if (string.IsNullOrEmpty(options.ClientCertificatePath))
        {
            return null;
        }
        using var pem = X509Certificate2.CreateFromPemFile(options.ClientCertificatePath, options.ClientKeyPath);
        // A PEM key is ephemeral; TLS stacks want a certificate whose key they can keep, so round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// Unary calls (each has a deadline) wait for a connected endpoint instead of failing at once while the channel reconnects
    /// after an outage; streams keep failing fast, so the watcher sees and reports the outage.
    /// </summary>
    private sealed class WaitForReadyUnaryCalls : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request,
            ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithWaitForReady()));

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request,
            ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithWaitForReady()));
    }
}
