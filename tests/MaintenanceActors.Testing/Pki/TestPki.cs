namespace MaintenanceActors.Testing;

/// <summary>
/// A throw-away PKI made with openssl: a CA, a server certificate for 127.0.0.1/localhost and a client certificate (EC P-256, PEM files).
/// </summary>
public sealed class TestPki : IDisposable
{
    private readonly TempDirectory directory;

    private TestPki(TempDirectory directory)
    {
        this.directory = directory;
    }

    /// <summary>The CA certificate (PEM) that signed both certificates.</summary>
    public string CaCertificatePath => directory.Combine("ca.pem");

    /// <summary>The server certificate (PEM), valid for 127.0.0.1 and localhost.</summary>
    public string ServerCertificatePath => directory.Combine("server.pem");

    /// <summary>The server's private key (PEM).</summary>
    public string ServerKeyPath => directory.Combine("server-key.pem");

    /// <summary>The client certificate (PEM), CN "client".</summary>
    public string ClientCertificatePath => directory.Combine("client.pem");

    /// <summary>The client's private key (PEM).</summary>
    public string ClientKeyPath => directory.Combine("client-key.pem");

    /// <summary>Generates the CA and the two certificates in a new temp directory.</summary>
    public static async Task<TestPki> CreateAsync(string caName = "MaintenanceActors Test CA")
    {
        var pki = new TestPki(new TempDirectory("ma-pki"));
        try
        {
            await pki.GenerateAsync(caName);
            return pki;
        }
        catch
        {
            pki.Dispose();
            throw;
        }
    }

    private async Task GenerateAsync(string caName)
    {
        var dir = directory.Path;
        string[] ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        await Openssl(["req", "-x509", .. ec, "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", $"/CN={caName}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        await IssueAsync("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
        await IssueAsync("client", "/CN=client", "extendedKeyUsage=clientAuth\n");

        async Task IssueAsync(string name, string subject, string extensions)
        {
            await File.WriteAllTextAsync(Path.Combine(dir, $"{name}.ext"), "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n" + extensions);
            await Openssl(["req", .. ec, "-keyout", $"{name}-key.pem", "-out", $"{name}.csr", "-subj", subject]);
            await Openssl(["x509", "-req", "-in", $"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                "-out", $"{name}.pem", "-days", "2", "-extfile", $"{name}.ext"]);
        }

        Task Openssl(string[] args) => ProcessRunner.RunAsync("openssl", args, dir);
    }

    public void Dispose() => directory.Dispose();
}
