using MaintenanceActors.Cli.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Cli.Tests.Commands;

/// <summary>Every failure is one line on stderr starting "maintctl: " and a documented exit code; never a stack trace.</summary>
[Collection(EtcdCollection.Name)]
public sealed class FailureSpec(SharedEtcd etcd)
{
    public static TheoryData<string[]> EveryCommand => new()
    {
        new[] { "status" },
        new[] { "status", "svc" },
        new[] { "enable", "svc", "--reason", "x" },
        new[] { "disable", "svc", "--instance", "svc-1" },
        new[] { "watch", "svc" },
        new[] { "roll", "svc", "--max-unavailable", "1" },
        new[] { "history", "svc" },
    };

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task Must_exit_3_with_one_line_when_etcd_is_unreachable(string[] args)
    {
        var closed = $"127.0.0.1:{FreePort.Get()}";

        var result = await Tool.RunAsync(closed, [.. args, "--command-timeout", "1s"]);

        result.ExitCode.Should().Be(3, result.ToString());
        result.Error.Trim().Split('\n').Should().ContainSingle();
        result.Error.Should().StartWith($"maintctl: etcd at {closed}").And.NotContain(" at MaintenanceActors").And.NotContain("Exception");
    }

    [Theory]
    [InlineData(new[] { "enable", "svc", "--bogus" }, "Unrecognized command or argument '--bogus'")]
    [InlineData(new[] { "enable" }, "Required argument missing for command: 'enable'")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    [InlineData(new[] { "status", "-o", "yaml" }, "--output must be text or json, not 'yaml'")]
    [InlineData(new[] { "status", "a/b" }, "service must be a name of at most 128 letters, digits")]
    [InlineData(new[] { "roll", "svc" }, "Option '--max-unavailable' is required")]
    [InlineData(new[] { "roll", "svc", "--max-unavailable", "0" }, "--max-unavailable must be a count of at least 1")]
    [InlineData(new[] { "roll", "svc", "--max-unavailable", "150%" }, "--max-unavailable must be a count of at least 1")]
    [InlineData(new[] { "roll", "svc", "-m", "1", "--hold", "forever" }, "--hold must be a positive duration")]
    [InlineData(new[] { "status", "--endpoints", "http://h:1/v3" }, "--endpoints contains 'http://h:1/v3', which is not an endpoint")]
    [InlineData(new[] { "status", "--endpoints", "localhost" }, "has no port")]
    [InlineData(new[] { "status", "--user", "alice" }, "--user 'alice' needs a password")]
    [InlineData(new[] { "status", "--cacert", "/nonexistent/ca.pem" }, "--cacert / ETCDCTL_CACERT names '/nonexistent/ca.pem', which does not exist")]
    [InlineData(new[] { "history", "svc", "--limit", "0" }, "--limit must be at least 1")]
    public async Task Must_exit_2_with_one_line_naming_the_wrong_flag(string[] args, string message)
    {
        var result = await Tool.RunAsync(etcd.Endpoint, args);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Trim().Split('\n').Should().ContainSingle();
        result.Error.Should().StartWith("maintctl: ").And.Contain(message);
        result.Output.Should().BeEmpty();
    }

    [Fact]
    public async Task Must_name_the_environment_variable_when_it_is_the_one_at_fault()
    {
        var result = await Tool.RunAsync(new Dictionary<string, string> { ["ETCDCTL_ENDPOINTS"] = "ftp://x:1" }, "status");

        result.ExitCode.Should().Be(2);
        result.Error.Should().StartWith("maintctl: ETCDCTL_ENDPOINTS contains 'ftp://x:1'");
    }

    [Fact]
    public async Task Should_print_help_with_exit_0()
    {
        var result = await Tool.RunAsync(etcd.Endpoint, "roll", "--help");

        result.ExitCode.Should().Be(0);
        result.Output.Should().Contain("--max-unavailable").And.Contain("--exec").And.Contain("--endpoints");
    }
}
