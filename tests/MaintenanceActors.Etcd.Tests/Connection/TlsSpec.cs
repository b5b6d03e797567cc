using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests.Connection;

/// <summary>An etcd serving TLS only, requiring client certificates from the test CA.</summary>
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

public sealed class TlsSpec(TlsEtcd tls) : IClassFixture<TlsEtcd>
{
    [Fact]
    public async Task Must_work_with_the_right_ca_and_client_certificate()
    {
        await using var client = tls.Server.CreateClient();

        await client.PutAsync("/tls/key", "secure");

        (await client.GetAsync("/tls/key"))!.ValueString.Should().Be("secure");
        client.CurrentEndpoint.Scheme.Should().Be("https");
    }

    [Fact]
    public async Task Must_default_to_https_for_an_endpoint_without_scheme_when_tls_files_are_set()
    {
        await using var client = tls.Server.CreateClient(o => o.Endpoints = [$"127.0.0.1:{tls.Server.ClientPort}"]);

        (await client.GetAsync("/tls/none")).Should().BeNull();
    }

    [Fact]
    public async Task Must_name_the_tls_failure_when_the_server_is_signed_by_another_ca()
    {
        await using var client = tls.Server.CreateClient(o => o.CaCertificatePath = tls.OtherCa.CaCertificatePath);

        var get = () => client.GetAsync("/tls/key");

        var error = (await get.Should().ThrowAsync<EtcdConnectionException>()).Which;
        error.Message.Should().Contain("TLS").And.Contain("not signed by the CA in " + tls.OtherCa.CaCertificatePath);
    }

    [Fact]
    public async Task Must_accept_a_server_name_override_the_certificate_carries_and_refuse_one_it_does_not()
    {
        await using var good = tls.Server.CreateClient(o => o.ServerName = "localhost");
        await using var bad = tls.Server.CreateClient(o => o.ServerName = "etcd.example.org");

        (await good.GetAsync("/tls/none")).Should().BeNull();
        var get = () => bad.GetAsync("/tls/none");
        (await get.Should().ThrowAsync<EtcdConnectionException>()).Which.Message.Should().Contain("does not name 'etcd.example.org'");
    }

    [Fact]
    public async Task Must_fail_without_a_client_certificate_when_the_server_requires_one()
    {
        await using var client = tls.Server.CreateClient(o => (o.ClientCertificatePath, o.ClientKeyPath) = (null, null));

        var get = () => client.GetAsync("/tls/key");

        await get.Should().ThrowAsync<EtcdConnectionException>();
    }
}

public sealed class ServerOnlyTlsSpec
{
    [Fact]
    public async Task Must_work_with_only_the_ca_when_etcd_does_not_ask_for_client_certificates()
    {
        await using var server = await EtcdServer.StartAsync(new EtcdServerOptions { Tls = true, ClientCertAuth = false });
        await using var client = server.CreateClient();

        await client.PutAsync("/tls/server-only", "secure");

        client.CurrentEndpoint.Scheme.Should().Be("https");
        (await client.GetAsync("/tls/server-only"))!.ValueString.Should().Be("secure");
    }
}
