using System.Diagnostics;
using MaintenanceActors.Cli.Fleet;
using MaintenanceActors.Cli.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Cli.Tests.Roll;

/// <summary>maintctl killed with -9 mid-roll: its slots vanish with its lease, and the instance it held serves again at its until.</summary>
[Collection(EtcdCollection.Name)]
public sealed class KilledRollSpec(SharedEtcd etcd)
{
    [Fact]
    public async Task Must_leave_no_instance_out_beyond_its_until_and_no_slot_beyond_its_lease_when_killed()
    {
        var service = SharedEtcd.NewService("killed");
        await using var fleet = await CoordinatorFleet.StartAsync(etcd.Server, service, 2, TimeSpan.FromMilliseconds(100));
        var env = new Dictionary<string, string> { ["ETCDCTL_ENDPOINTS"] = etcd.Endpoint };
        using var roll = Process.Start(Tool.ProcessStart(env, "roll", service, "-m", "1", "--wait", "1h", "--hold", "4s", "--lease-ttl", "1s"))!;
        var output = new SharedWriter();
        roll.OutputDataReceived += (_, e) => output.WriteLine(e.Data);
        roll.BeginOutputReadLine();
        try
        {
            (await Eventually.HoldsAsync(() => output.ToString().Contains("drained in"))).Should().BeTrue(output.ToString());
            // Long enough for at least one renewal of the until (every --hold / 2).
            var renewed = await Eventually.HoldsAsync(async () =>
                (await etcd.Writer.Client.GetAsync(FleetKeys.Instance(service, $"{service}-1"))).Kvs[0].Version >= 2, TimeSpan.FromSeconds(10));
            renewed.Should().BeTrue("the roll re-writes the until while the step runs");
        }
        finally
        {
            roll.Kill();
            await roll.WaitForExitAsync();
        }
        var killedAt = DateTimeOffset.UtcNow;

        var key = (await etcd.Writer.Client.GetAsync(FleetKeys.Instance(service, $"{service}-1"))).Kvs.Single().Value.ToStringUtf8();
        var value = MaintenanceValueParser.Parse(key, "k", 0);
        value.Enabled.Should().BeTrue("a killed roll cannot clear its key");
        value.Info!.Until.Should().NotBeNull().And.BeOnOrBefore(killedAt.AddSeconds(4), "the key ends by itself within --hold");
        MaintenanceSetting.Parse(key).IsOnAt(killedAt.AddSeconds(4)).Should().BeFalse();
        (await Eventually.HoldsAsync(async () => (await etcd.Writer.Client.GetRangeAsync(FleetKeys.SlotsOf(service))).Kvs.Count == 0))
            .Should().BeTrue("the slot lives on the roll's lease (TTL 1 s)");
        (await etcd.Writer.Client.GetAsync(FleetKeys.Instance(service, $"{service}-2"))).Kvs.Should().BeEmpty("the roll never got to the second instance");
        // The coordinator ends the vote at its until on its own clock: the instance serves again with nobody clearing the key.
        (await Eventually.HoldsAsync(async () =>
        {
            var status = (await etcd.Writer.Client.GetAsync(FleetKeys.Status(service, $"{service}-1"))).Kvs.Single().Value.ToStringUtf8();
            return InstanceStatus.Parse($"{service}-1", status).IsAvailable;
        })).Should().BeTrue("the instance is back in service at its until");
        DateTimeOffset.UtcNow.Should().BeOnOrAfter(value.Info.Until!.Value.AddMilliseconds(-50), "and not before it");
    }

    [Fact]
    public async Task Must_clear_what_it_holds_and_exit_130_on_SIGTERM_as_a_process()
    {
        var service = SharedEtcd.NewService("sigterm");
        await using var fleet = await CoordinatorFleet.StartAsync(etcd.Server, service, 2, TimeSpan.FromMilliseconds(100));
        var env = new Dictionary<string, string> { ["ETCDCTL_ENDPOINTS"] = etcd.Endpoint };
        using var roll = Process.Start(Tool.ProcessStart(env, "roll", service, "-m", "2", "--wait", "1h"))!;
        var output = new SharedWriter();
        var error = new SharedWriter();
        roll.OutputDataReceived += (_, e) => output.WriteLine(e.Data);
        roll.ErrorDataReceived += (_, e) => error.WriteLine(e.Data);
        roll.BeginOutputReadLine();
        roll.BeginErrorReadLine();
        try
        {
            (await Eventually.HoldsAsync(() => output.ToString().Split('\n').Count(l => l.Contains("drained in")) == 2)).Should().BeTrue(output.ToString());
            // The shell's builtin kill: no procps needed on a minimal machine.
            Process.Start("/bin/sh", ["-c", $"kill -TERM {roll.Id}"])!.WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await roll.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!roll.HasExited) roll.Kill();
        }

        roll.ExitCode.Should().Be(130, output + error.ToString());
        output.ToString().Should().Contain("cleared the instances this roll held");
        (await etcd.Writer.Client.GetRangeAsync(FleetKeys.SlotsOf(service))).Kvs.Should().BeEmpty("the roll revoked its lease");
        foreach (var instance in fleet.Instances)
        {
            var key = (await etcd.Writer.Client.GetAsync(FleetKeys.Instance(service, instance))).Kvs.Single().Value.ToStringUtf8();
            MaintenanceSetting.Parse(key).Enabled.Should().BeFalse($"{instance} was put back into service");
        }
    }
}
