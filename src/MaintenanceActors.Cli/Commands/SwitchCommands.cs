using System.CommandLine;
using System.Globalization;
using MaintenanceActors.Cli.Etcd;
using MaintenanceActors.Cli.Fleet;
using MaintenanceActors.Cli.Output;

namespace MaintenanceActors.Cli.Commands;

/// <summary><c>maintctl enable|disable &lt;service&gt;</c>: writes the service-wide or an instance's key, always with who and why.</summary>
internal static class SwitchCommands
{
    public static Command Create(GlobalOptions global, CliIo io, bool enable)
    {
        var service = new Argument<string>("service") { Description = "the service" };
        var instance = new Option<string?>("--instance", "-i") { Description = "only this instance (its key /maintenance/<service>/instances/<id>)" };
        var reason = new Option<string?>("--reason", "-r") { Description = "why; shown by status, the dashboard and the services' 503 answers" };
        var by = new Option<string?>("--by") { Description = "who; default $USER@$HOSTNAME" };
        var until = new Option<string?>("--until") { Description = "when maintenance ends by itself, ISO-8601 (2026-12-01T22:00:00Z)" };
        var @for = new Option<string?>("--for") { Description = "how long until maintenance ends by itself, e.g. 30m or 2h" };
        var command = new Command(enable ? "enable" : "disable",
            enable ? "Put a service (or one instance) into maintenance" : "Take a service (or one instance) out of maintenance")
        {
            service, instance, reason, by,
        };
        if (enable)
        {
            command.Add(until);
            command.Add(@for);
        }
        command.SetAction(async (r, ct) =>
        {
            var name = FleetKeys.ValidName(r.GetValue(service), "service");
            var id = r.GetValue(instance) is { } i ? FleetKeys.ValidName(i, "--instance") : null;
            var json = global.Json(r);
            var now = io.Time.GetUtcNow();
            DateTimeOffset? end = null;
            if (enable)
            {
                end = Until(r.GetValue(until), r.GetValue(@for), now);
            }
            var who = Who.By(r.GetValue(by), io);
            var why = r.GetValue(reason) is { Length: > 0 } text ? text : enable ? "maintenance (maintctl enable)" : "back in service (maintctl disable)";
            var key = id is null ? FleetKeys.Service(name) : FleetKeys.Instance(name, id);
            var value = MaintenanceValueParser.Format(enable, new MaintenanceInfo(why, who, end));
            using var etcd = FleetEtcd.Connect(global.Etcd(r, io));
            var revision = await etcd.PutAsync(key, value, ct);
            var target = id is null ? name : $"{name} instance {id}";
            if (json)
            {
                io.Output.WriteLine(FleetRender.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("key", key);
                    w.WriteString("value", value);
                    w.WriteNumber("revision", revision);
                    w.WriteEndObject();
                }, indented: false));
            }
            else
            {
                io.Output.WriteLine($"{target}: maintenance {(enable ? "on" : "off")} (reason: {why}, by {who}{(end is { } e ? $", until {Durations.Time(e)}" : "")}) at revision {revision}");
            }
            if (!enable && id is not null)
            {
                var wide = await etcd.GetAsync(FleetKeys.Service(name), prefix: false, ct);
                if (wide.Items.Count == 1 && MaintenanceSetting.Parse(wide.Items[0].Value).IsOnAt(now))
                {
                    io.Error.WriteLine($"maintctl: note: service-wide maintenance of {name} is still on, so {id} stays in maintenance (maintctl disable {name})");
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static DateTimeOffset? Until(string? until, string? forText, DateTimeOffset now)
    {
        if (until is not null && forText is not null)
        {
            throw new UsageException("give --until or --for, not both");
        }
        if (forText is not null)
        {
            return now + Durations.Parse(forText, "--for");
        }
        if (until is null)
        {
            return null;
        }
        if (!DateTimeOffset.TryParse(until, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            throw new UsageException($"--until must be an ISO-8601 time such as 2026-12-01T22:00:00Z, not '{until}'");
        }
        if (at <= now)
        {
            throw new UsageException($"--until {Durations.Time(at)} is in the past (now is {Durations.Time(now)}); maintenance would end at once");
        }
        return at;
    }
}
