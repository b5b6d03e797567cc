using System.Text.Json;
using MaintenanceActors.Cli.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Cli.Tests.Commands;

/// <summary>maintctl as a real process: the exit codes and the one-line errors hold outside the test host too.</summary>
[Collection(EtcdCollection.Name)]
public sealed class ProcessSpec(SharedEtcd etcd)
{
    [Fact]
    public async Task Must_run_as_a_process_with_the_same_output_and_exit_codes()
    {
        var service = SharedEtcd.NewService("proc");
        var env = new Dictionary<string, string> { ["ETCDCTL_ENDPOINTS"] = etcd.Endpoint, ["USER"] = "proc", ["HOSTNAME"] = "box" };

        var enable = await Tool.RunProcessAsync(env, "enable", service, "--reason", "as a process", "--for", "1h");
        var status = await Tool.RunProcessAsync(env, "status", service, "--output", "json");
        var usage = await Tool.RunProcessAsync(env, "status", "--output", "xml");
        var unreachable = await Tool.RunProcessAsync(new Dictionary<string, string> { ["ETCDCTL_ENDPOINTS"] = $"127.0.0.1:{FreePort.Get()}", ["ETCDCTL_COMMAND_TIMEOUT"] = "1s" }, "status");

        enable.ExitCode.Should().Be(0, enable.ToString());
        enable.Output.Should().Contain("maintenance on (reason: as a process, by proc@box, until ");
        status.ExitCode.Should().Be(0, status.ToString());
        using (var doc = JsonDocument.Parse(status.Output))
        {
            doc.RootElement.GetProperty("serviceKey").GetProperty("reason").GetString().Should().Be("as a process");
        }
        usage.ExitCode.Should().Be(2, usage.ToString());
        usage.Error.Trim().Should().Be("maintctl: --output must be text or json, not 'xml'");
        unreachable.ExitCode.Should().Be(3, unreachable.ToString());
        unreachable.Error.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("maintctl: etcd at 127.0.0.1:");
    }
}
