using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MaintenanceActors.Etcd;

/// <summary>
/// Checks etcd's server certificate: against the configured CA only (not the system store) when one is given,
/// and against <see cref="EtcdClientOptions.ServerName"/> when that overrides the endpoint's host.
/// </summary>
internal sealed class ServerCertificateValidator
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    private readonly X509Certificate2Collection? trustedRoots;
    private readonly string? caPath;
    private readonly string? serverName;
    private volatile string? lastFailure;

    public ServerCertificateValidator(string? caPath, string? serverName)
    {
        this.caPath = caPath;
        this.serverName = serverName;
        if (!string.IsNullOrEmpty(caPath))
        {
            trustedRoots = new X509Certificate2Collection();
            trustedRoots.ImportFromPemFile(caPath);
        }
    }

    /// <summary>Why the last rejected certificate was rejected; used to say more than "the SSL connection could not be established".</summary>
    public string? LastFailure => lastFailure;

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (certificate is null)
            return Reject("the server sent no certificate");
        var nameProblem = CheckName(certificate, errors);
        if (nameProblem is not null)
            return Reject(nameProblem);
        if (trustedRoots is null)
        {
            return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None
                || Reject($"the server certificate is not trusted by the system store ({errors})");
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustedRoots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        // As the system's own validation does: a certificate restricted to other uses (e.g. a client certificate from the
        // same CA) must not pass as a server's.
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(ServerAuthentication));
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements)
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        using var leaf = new X509Certificate2(certificate);
        if (chain.Build(leaf))
        {
            lastFailure = null;
            return true;
        }
        if (chain.ChainStatus.Any(s => s.Status == X509ChainStatusFlags.NotValidForUsage))
            return Reject($"the server certificate '{leaf.Subject}' is not issued for server authentication (its extended key usage lacks serverAuth)");
        var statuses = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
        return Reject($"the server certificate '{leaf.Subject}' is not signed by the CA in {caPath} ({statuses})");
    }

    private string? CheckName(X509Certificate certificate, SslPolicyErrors errors)
    {
        if (!string.IsNullOrEmpty(serverName))
        {
            using var leaf = new X509Certificate2(certificate);
            return leaf.MatchesHostname(serverName) ? null : $"the server certificate does not name '{serverName}' (EtcdClientOptions.ServerName)";
        }
        return (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0
            ? "the server certificate does not name the endpoint's host (set EtcdClientOptions.ServerName if it uses another name)"
            : null;
    }

    private bool Reject(string reason)
    {
        lastFailure = "TLS: " + reason;
        return false;
    }
}
