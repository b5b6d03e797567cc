using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests.Connection;

public sealed class ServerCertificateValidatorSpec
{
    [Fact]
    public async Task Must_refuse_a_certificate_from_the_trusted_ca_that_is_not_meant_for_servers()
    {
        using var pki = await TestPki.CreateAsync();
        using var clientOnly = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(pki.ClientCertificatePath));
        using var server = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(pki.ServerCertificatePath));
        var validator = new ServerCertificateValidator(pki.CaCertificatePath, serverName: "client");
        var serverValidator = new ServerCertificateValidator(pki.CaCertificatePath, serverName: "localhost");

        // The client certificate is signed by the same CA and names "client", but its key usage is client authentication only.
        validator.Validate(this, clientOnly, null, SslPolicyErrors.None).Should().BeFalse();
        validator.LastFailure.Should().Contain("not issued for server authentication");
        serverValidator.Validate(this, server, null, SslPolicyErrors.None).Should().BeTrue();
    }
}
