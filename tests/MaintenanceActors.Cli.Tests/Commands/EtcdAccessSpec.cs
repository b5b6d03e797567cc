using MaintenanceActors.Cli.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Cli.Tests.Commands;

/// <summary>etcd with auth and TLS, reached through etcdctl's flags and environment variables.</summary>
public sealed class SecureEtcd : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await EtcdServer.StartAsync(new EtcdServerOptions { Tls = true, ClientCertAuth = false });
        await Server.EnableAuthAsync("s3cret");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class EtcdAccessSpec(SecureEtcd secure) : IClassFixture<SecureEtcd>
{
    private Dictionary<string, string> Env(string user) => new()
    {
        ["ETCDCTL_ENDPOINTS"] = $"127.0.0.1:{secure.Server.ClientPort}",
        ["ETCDCTL_CACERT"] = secure.Server.Pki!.CaCertificatePath,
        ["ETCDCTL_USER"] = user,
        ["USER"] = "ops",
        ["HOSTNAME"] = "bastion",
    };

    [Fact]
    public async Task Must_reach_etcd_over_TLS_with_credentials_from_the_ETCDCTL_variables()
    {
        var enable = await Tool.RunAsync(Env("root:s3cret"), "enable", "secure", "--reason", "tls");
        var status = await Tool.RunAsync(Env("root:s3cret"), "status", "secure");

        enable.ExitCode.Should().Be(0, enable.ToString());
        status.ExitCode.Should().Be(0, status.ToString());
        status.Output.Should().Contain("SERVICE-WIDE MAINTENANCE ON (reason: tls, by ops@bastion)");
    }

    [Fact]
    public async Task Must_take_flags_over_the_environment()
    {
        var env = Env("root:wrong");

        var result = await Tool.RunAsync(env, "status", "--user", "root", "--password", "s3cret");

        result.ExitCode.Should().Be(0, result.ToString());
    }

    [Fact]
    public async Task Must_exit_3_with_one_line_when_etcd_refuses_the_password()
    {
        var result = await Tool.RunAsync(Env("root:wrong"), "status");

        result.ExitCode.Should().Be(3, result.ToString());
        result.Error.Trim().Split('\n').Should().ContainSingle();
        result.Error.Should().StartWith("maintctl: etcd at").And.Contain("authentication failed");
    }

    [Fact]
    public async Task Must_exit_3_with_one_line_when_the_server_certificate_is_not_from_the_given_CA()
    {
        using var otherCa = await TestPki.CreateAsync("Some Other CA");
        var env = Env("root:s3cret");
        env["ETCDCTL_CACERT"] = otherCa.CaCertificatePath;

        var result = await Tool.RunAsync(env, "status", "--command-timeout", "2s");

        result.ExitCode.Should().Be(3, result.ToString());
        result.Error.Trim().Split('\n').Should().ContainSingle();
        result.Error.Should().StartWith("maintctl: etcd at");
    }
}
