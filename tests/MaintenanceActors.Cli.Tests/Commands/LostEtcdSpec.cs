using MaintenanceActors.Cli.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Cli.Tests.Commands;

/// <summary>etcd dies under a running watch: one line and exit 3, not a hang or a stack trace.</summary>
public sealed class LostEtcdSpec
{
    [Fact]
    public async Task Must_end_watch_with_exit_3_and_one_line_when_etcd_goes_away()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var output = new SharedWriter();
        var error = new SharedWriter();
        var env = new Dictionary<string, string> { ["ETCDCTL_ENDPOINTS"] = $"127.0.0.1:{etcd.ClientPort}" };
        var run = Tool.StartAsync(output, error, env, CancellationToken.None, "watch", "gone");
        (await Eventually.HoldsAsync(() => output.ToString().Contains("INSTANCE"))).Should().BeTrue(error.ToString());

        etcd.Kill();

        (await run.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(3, output.ToString());
        error.ToString().Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("maintctl: ").And.Contain("Watch");
    }
}
