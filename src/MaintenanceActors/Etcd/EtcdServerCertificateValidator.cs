using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MaintenanceActors.Etcd;

/// <summary>
/// Checks etcd's server certificate: it must chain to the configured CA only (not the system store) when one is given, be issued
/// for server authentication, and name one of the configured endpoints' hosts.
/// </summary>
/// <remarks>
/// The name is checked here rather than left to the TLS stack: the etcd client dials every endpoint through one channel whose
/// TLS target name is a single configured server name, so the stack's own name check cannot tell the endpoints apart.
/// </remarks>
internal sealed class EtcdServerCertificateValidator
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    private readonly X509Certificate2Collection? _trustedRoots;
    private readonly string? _caPath;
    private readonly IReadOnlyList<string> _hosts;
    private volatile string? _lastFailure;

    public EtcdServerCertificateValidator(string? caPath, IEnumerable<string> hosts)
    {
        _caPath = caPath;
        _hosts = hosts.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (!string.IsNullOrEmpty(caPath))
        {
            _trustedRoots = new X509Certificate2Collection();
            _trustedRoots.ImportFromPemFile(caPath);
        }
    }

    /// <summary>Why the last rejected certificate was rejected; used to say more than "the SSL connection could not be established".</summary>
    public string? LastFailure => _lastFailure;

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return Reject("the server sent no certificate");
        }
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (!_hosts.Any(host => leaf.MatchesHostname(host.Trim('[', ']'))))
        {
            return Reject($"the server certificate '{leaf.Subject}' names none of the endpoints' hosts ({string.Join(", ", _hosts)})");
        }
        if (_trustedRoots is null)
        {
            return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None
                || Reject($"the server certificate '{leaf.Subject}' is not trusted by the system store ({errors}); set CaCertificatePath to the CA that signed it");
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trustedRoots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        // As the system's own validation does: a certificate restricted to other uses (e.g. a client certificate from the
        // same CA) must not pass as a server's.
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthentication));
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        if (chain.Build(leaf))
        {
            _lastFailure = null;
            return true;
        }
        if (chain.ChainStatus.Any(s => s.Status == X509ChainStatusFlags.NotValidForUsage))
        {
            return Reject($"the server certificate '{leaf.Subject}' is not issued for server authentication (its extended key usage lacks serverAuth)");
        }
        var statuses = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
        return Reject($"the server certificate '{leaf.Subject}' is not signed by the CA in {_caPath} ({statuses})");
    }

    private bool Reject(string reason)
    {
        _lastFailure = "TLS: " + reason;
        return false;
    }
}
