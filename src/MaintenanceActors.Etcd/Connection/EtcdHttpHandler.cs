using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MaintenanceActors.Etcd;

/// <summary>Builds the HTTP/2 handler shared by all calls of a client: connect timeout, keep-alive pings, TLS settings.</summary>
internal static class EtcdHttpHandler
{
    public static SocketsHttpHandler Create(EtcdClientOptions options, ServerCertificateValidator validator)
    {
        var handler = new SocketsHttpHandler
        {
            // Many watches and keep-alives share one connection; let a second open when the server's stream limit is hit.
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = options.ConnectTimeout,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
        var ssl = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = validator.Validate,
        };
        if (!string.IsNullOrEmpty(options.ClientCertificatePath))
        {
            var certificate = X509Certificate2.CreateFromPemFile(options.ClientCertificatePath, options.ClientKeyPath);
            ssl.ClientCertificates = new X509CertificateCollection { certificate };
        }
        handler.SslOptions = ssl;
        return handler;
    }
}
