using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MaintenanceActors.Etcd;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Tests.Etcd;

/// <summary>An etcd serving TLS only, requiring client certificates from the test CA; and a second CA that did not sign it.</summary>
public sealed class TlsEtcd : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    public TestPki OtherCa { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await EtcdServer.StartAsync(new EtcdServerOptions { Tls = true });
        OtherCa = await TestPki.CreateAsync("Some Other CA");
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        OtherCa.Dispose();
    }
}

/// <summary>The backend over https: the CA it is told to trust, the client certificate, and clear errors when either is wrong.</summary>
public sealed class EtcdBackendTlsSpec(TlsEtcd tls) : IClassFixture<TlsEtcd>, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _cleanup = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var item in Enumerable.Reverse(_cleanup)) await item.DisposeAsync();
    }

    private EtcdClientBackend Backend(EtcdServer server, Action<EtcdSourceOptions>? configure = null)
    {
        var options = server.CreateSourceOptions();
        configure?.Invoke(options);
        var client = new EtcdTestWriter(EtcdClientFactory.Create(options));
        _cleanup.Add(client);
        return new EtcdClientBackend(client.Client, options);
    }

    [Fact]
    public async Task Must_read_write_and_watch_with_the_right_ca_and_client_certificate()
    {
        var backend = Backend(tls.Server);

        var revision = await backend.PutAsync("/tls/key", "secure", CancellationToken.None);

        (await backend.ReadAsync("/tls/key", false, CancellationToken.None)).Entries.Single().ModRevision.Should().Be(revision);
        var watch = new WatchReader(backend, "/tls/key", revision);
        _cleanup.Add(watch);
        (await watch.NextAsync()).Created.Should().BeTrue();
        (await watch.NextChangesAsync()).Changes.Single().ModRevision.Should().Be(revision);
    }

    [Fact]
    public async Task Must_use_https_for_an_endpoint_without_scheme_when_tls_files_are_set()
    {
        var backend = Backend(tls.Server, o => o.Endpoints = [$"127.0.0.1:{tls.Server.ClientPort}"]);

        (await backend.ReadAsync("/tls/none", false, CancellationToken.None)).Entries.Should().BeEmpty();
    }

    [Fact]
    public async Task Must_name_the_tls_failure_when_the_server_is_signed_by_another_ca()
    {
        var backend = Backend(tls.Server, o => o.CaCertificatePath = tls.OtherCa.CaCertificatePath);

        var read = () => backend.ReadAsync("/tls/key", false, CancellationToken.None);

        (await read.Should().ThrowAsync<EtcdException>()).Which.Message.Should().Contain("TLS: the server certificate")
            .And.Contain("is not signed by the CA in " + tls.OtherCa.CaCertificatePath);
    }

    [Fact]
    public async Task Must_fail_without_a_client_certificate_when_the_server_requires_one()
    {
        var backend = Backend(tls.Server, o => (o.ClientCertificatePath, o.ClientKeyPath) = (null, null));

        var read = () => backend.ReadAsync("/tls/key", false, CancellationToken.None);

        await read.Should().ThrowAsync<EtcdException>();
    }

    [Fact]
    public async Task Must_work_with_only_the_ca_when_etcd_does_not_ask_for_client_certificates()
    {
        await using var serverOnly = await EtcdServer.StartAsync(new EtcdServerOptions { Tls = true, ClientCertAuth = false });
        var backend = Backend(serverOnly);

        var revision = await backend.PutAsync("/tls/server-only", "secure", CancellationToken.None);

        serverOnly.Endpoint.Should().StartWith("https://");
        (await backend.ReadAsync("/tls/server-only", false, CancellationToken.None)).Entries.Single().ModRevision.Should().Be(revision);
    }

    [Fact]
    public void Must_refuse_a_certificate_of_the_trusted_ca_that_is_not_issued_for_server_authentication()
    {
        var pki = tls.Server.Pki!;
        using var clientCertificate = X509Certificate2.CreateFromPemFile(pki.ClientCertificatePath, pki.ClientKeyPath);
        // The client certificate (CN=client, extended key usage clientAuth only) presented as if it were the server's.
        var validator = new EtcdServerCertificateValidator(pki.CaCertificatePath, ["client"]);

        validator.Validate(this, clientCertificate, null, SslPolicyErrors.None).Should().BeFalse();

        validator.LastFailure.Should().Contain("not issued for server authentication");
    }
}
