using System.CommandLine;
using MaintenanceActors.Cli.Etcd;
using MaintenanceActors.Cli.Fleet;
using MaintenanceActors.Cli.Output;
using MaintenanceActors.Cli.Roll;

namespace MaintenanceActors.Cli.Commands;

/// <summary><c>maintctl roll &lt;service&gt; --max-unavailable N|N%</c>: see <see cref="RollRunner"/>.</summary>
internal static class RollCommand
{
    public static Command Create(GlobalOptions global, CliIo io)
    {
        var service = new Argument<string>("service") { Description = "the service to roll" };
        var max = new Option<string>("--max-unavailable", "-m") { Description = "at most this many instances out of service at once, across every roll of the service: a count (2) or a percentage of the fleet (25%)", Required = true };
        var instances = new Option<string?>("--instances") { Description = "only these instances, comma-separated, in this order (default: every instance that publishes status)" };
        var exec = new Option<string?>("--exec") { Description = "a shell command to run while each instance is drained (env MAINTCTL_SERVICE, MAINTCTL_INSTANCE, MAINTCTL_HOST); a non-zero exit stops the roll" };
        var wait = new Option<string?>("--wait") { Description = "how long to keep each instance drained (e.g. 30s), before --exec" };
        var reason = new Option<string?>("--reason", "-r") { Description = "why (written on every key; default 'rolling maintenance')" };
        var by = new Option<string?>("--by") { Description = "who; default $USER@$HOSTNAME" };
        var hold = new Option<string?>("--hold") { Description = "the until written on each instance's key, from now; renewed while a step runs, so a killed maintctl leaves nothing out longer (default 10m)" };
        var drainTimeout = new Option<string?>("--drain-timeout") { Description = "give up when an instance has not reported drained or timed-out within this (default 5m)" };
        var resumeTimeout = new Option<string?>("--resume-timeout") { Description = "give up when an instance is not serving again within this after its key is cleared (default 2m)" };
        var slotTimeout = new Option<string?>("--slot-timeout") { Description = "give up when no slot of the budget frees within this (default 30m)" };
        var leaseTtl = new Option<string?>("--lease-ttl") { Description = "TTL of the lease the roll's slots live on: a killed maintctl frees them after this (default 10s)" };
        var command = new Command("roll", "Roll maintenance through a service's instances, never more than --max-unavailable out at once")
        {
            service, max, instances, exec, wait, reason, by, hold, drainTimeout, resumeTimeout, slotTimeout, leaseTtl,
        };
        command.SetAction(async (r, ct) =>
        {
            static TimeSpan Or(string? text, string flag, TimeSpan fallback) => text is null ? fallback : Durations.Parse(text, flag);
            var name = FleetKeys.ValidName(r.GetValue(service), "service");
            var list = r.GetValue(instances) is { } l
                ? l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(i => FleetKeys.ValidName(i, "--instances")).Distinct().ToArray()
                : null;
            if (list is { Length: 0 })
            {
                throw new UsageException("--instances must name at least one instance");
            }
            var options = new RollOptions(
                name,
                MaxUnavailable.Parse(r.GetValue(max)!),
                list,
                r.GetValue(exec) is { Length: > 0 } e ? e : null,
                r.GetValue(wait) is { } w ? Durations.Parse(w, "--wait") : null,
                r.GetValue(reason) is { Length: > 0 } why ? why : "rolling maintenance",
                Who.By(r.GetValue(by), io),
                Or(r.GetValue(hold), "--hold", RollOptions.DefaultHold),
                Or(r.GetValue(drainTimeout), "--drain-timeout", RollOptions.DefaultDrainTimeout),
                Or(r.GetValue(resumeTimeout), "--resume-timeout", RollOptions.DefaultResumeTimeout),
                Or(r.GetValue(slotTimeout), "--slot-timeout", RollOptions.DefaultSlotTimeout),
                Or(r.GetValue(leaseTtl), "--lease-ttl", RollOptions.DefaultLeaseTtl));
            if (options.LeaseTtl < TimeSpan.FromSeconds(1))
            {
                throw new UsageException("--lease-ttl must be at least 1s (etcd counts leases in whole seconds)");
            }
            if (options.Hold < TimeSpan.FromSeconds(2))
            {
                throw new UsageException("--hold must be at least 2s");
            }
            var json = global.Json(r);
            using var etcd = FleetEtcd.Connect(global.Etcd(r, io));
            return await new RollRunner(etcd, options, new RollReporter(io, json), io.Time).RunAsync(ct);
        });
        return command;
    }
}
