using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using dotnet_etcd;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;

namespace MaintenanceActors.Etcd;

/// <summary>The one place an etcd client is built from <see cref="EtcdSourceOptions"/>: endpoints, TLS, client certificate and credentials.</summary>
internal static class EtcdClientFactory
{
    // Long watches must notice a peer that went silent (no FIN, no RST) within seconds, not the client's default minute.
    private static readonly TimeSpan KeepAlivePingDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan KeepAlivePingTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private static readonly ConditionalWeakTable<EtcdClient, EtcdServerCertificateValidator> Validators = new();

    /// <summary>
    /// A client for <paramref name="options"/>' endpoints (validated first). <c>https://</c> endpoints go through the constructor with SSL
    /// options (the plain one connects without TLS whatever the scheme says), trusting only <see cref="EtcdSourceOptions.CaCertificatePath"/>
    /// when set and presenting the client certificate when set; with a user name the client authenticates and re-authenticates itself.
    /// </summary>
    public static EtcdClient Create(EtcdSourceOptions options)
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
            }, serverName: serverName, configureChannelOptions: ConfigureChannel);
            Validators.AddOrUpdate(client, validator);
        }
        else
        {
            client = new EtcdClient(connectionString, serverName: serverName, configureChannelOptions: ConfigureChannel);
        }
        if (!string.IsNullOrEmpty(options.Username))
        {
            client.SetCredentials(options.Username, options.Password!);
        }
        return client;
    }

    /// <summary>Why the last TLS handshake of a client from <see cref="Create"/> was refused, if one was; null otherwise.</summary>
    public static string? TlsFailureOf(EtcdClient client) =>
        Validators.TryGetValue(client, out var validator) ? validator.LastFailure : null;

    private static void ConfigureChannel(GrpcChannelOptions channel)
    {
        // No gRPC-level retries for the watch stream: the watcher reconnects itself, with backoff and jitter, from the last seen
        // revision; retrying underneath would only hide the failure for seconds and keep source health saying nothing.
        channel.ServiceConfig?.MethodConfigs.Add(new MethodConfig { Names = { new MethodName { Service = "etcdserverpb.Watch" } } });
        if (channel.HttpHandler is SocketsHttpHandler handler)
        {
            handler.KeepAlivePingDelay = KeepAlivePingDelay;
            handler.KeepAlivePingTimeout = KeepAlivePingTimeout;
            handler.ConnectTimeout = ConnectTimeout;
        }
    }

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
}
