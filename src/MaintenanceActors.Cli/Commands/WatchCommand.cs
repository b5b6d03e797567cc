using System.CommandLine;
using MaintenanceActors.Cli.Etcd;
using MaintenanceActors.Cli.Fleet;
using MaintenanceActors.Cli.Output;
using Spectre.Console;

namespace MaintenanceActors.Cli.Commands;

/// <summary>
/// <c>maintctl watch &lt;service&gt;</c>: on a terminal a live table with drain progress bars, redrawn on every etcd watch event (and
/// every 250 ms while a drain runs, for the bars); redirected, one line per change; with <c>--output json</c> the status document,
/// then one JSON object per change. Runs until Ctrl+C (exit 0) or until etcd is lost (exit 3).
/// </summary>
internal static class WatchCommand
{
    public static Command Create(GlobalOptions global, CliIo io)
    {
        var service = new Argument<string>("service") { Description = "the service to watch" };
        var command = new Command("watch", "Watch a service's instances live (drain progress bars on a terminal; one line or JSON object per change otherwise)") { service };
        command.SetAction(async (r, ct) =>
        {
            var name = FleetKeys.ValidName(r.GetValue(service), "service");
            var json = global.Json(r);
            using var etcd = FleetEtcd.Connect(global.Etcd(r, io));
            await using var mirror = await FleetMirror.StartAsync(etcd, name, ct);
            try
            {
                if (io.Interactive && !json)
                {
                    await LiveAsync(io, mirror, ct);
                }
                else
                {
                    await LinesAsync(io, mirror, json, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task LiveAsync(CliIo io, FleetMirror mirror, CancellationToken ct)
    {
        var view = mirror.View();
        await io.Console.Live(Render(view, io.Time.GetUtcNow(), io.Console.Profile.Width)).AutoClear(false).StartAsync(async ctx =>
        {
            while (!ct.IsCancellationRequested)
            {
                var changed = mirror.NextChange();
                var draining = view.Instances.Any(i => i.Status?.Phase == InstanceStatus.Draining);
                try
                {
                    await changed.WaitAsync(draining ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(1), ct);
                }
                catch (TimeoutException)
                {
                    // Redraw anyway: the progress bars and "deadline in" move with time.
                }
                view = mirror.View();
                ctx.UpdateTarget(Render(view, io.Time.GetUtcNow(), io.Console.Profile.Width));
            }
        });
    }

    private static Spectre.Console.Rendering.IRenderable Render(ServiceView view, DateTimeOffset now, int width) =>
        new Rows(new Text(FleetRender.ServiceLine(view, now)), FleetRender.InstancesTable(view, now, live: true, width),
            new Text("Ctrl+C to stop · * held by a roll"));

    private static async Task LinesAsync(CliIo io, FleetMirror mirror, bool json, CancellationToken ct)
    {
        var now = io.Time.GetUtcNow();
        var view = mirror.View();
        if (json)
        {
            io.Output.WriteLine(FleetRender.Json(w => FleetRender.WriteService(w, view, now), indented: false));
        }
        else
        {
            io.Output.WriteLine(FleetRender.ServiceLine(view, now));
            io.Console.Write(FleetRender.InstancesTable(view, now, live: false));
        }
        io.Output.Flush();
        await foreach (var change in mirror.Changes.ReadAllAsync(ct))
        {
            io.Output.WriteLine(json ? ChangeJson(change) : ChangeLine(change, io.Time.GetUtcNow()));
            io.Output.Flush();
        }
        // The channel ends only when the watch failed: say why.
        mirror.View();
    }

    public static string ChangeLine(FleetChange change, DateTimeOffset now)
    {
        var who = change.What.Instance ?? change.What.Service;
        var text = change.What.Kind switch
        {
            _ when change.Value is null && change.What.Kind == FleetKeyKind.Status => "status gone (stopped, or its lease expired)",
            _ when change.Value is null && change.What.Kind == FleetKeyKind.Slot => "roll slot freed",
            _ when change.Value is null => "maintenance key deleted",
            FleetKeyKind.Status => StatusText(InstanceStatus.Parse(who, change.Value), now),
            FleetKeyKind.Slot => "roll slot taken",
            _ => SettingText(MaintenanceSetting.Parse(change.Value), now, change.What.Kind == FleetKeyKind.ServiceValue),
        };
        return $"rev {change.Revision,-8} {who,-16} {text}";
    }

    private static string StatusText(InstanceStatus s, DateTimeOffset now)
    {
        var parts = new List<string> { s.Phase, s.InMaintenance ? $"in maintenance ({s.Source ?? "?"})" : "not in maintenance" };
        if (s.InFlight is { } f) parts.Add($"{f} in flight");
        if (s.Phase == InstanceStatus.Draining && s.DrainProgress(now) is { } p) parts.Add(FleetRender.Bar(p));
        if (s.DrainDurationMs is { } ms && s.Phase is InstanceStatus.Drained or InstanceStatus.TimedOut) parts.Add($"drain took {Durations.Format(TimeSpan.FromMilliseconds(ms))}");
        if (s.Outcomes.Length > 0) parts.Add(s.Outcomes);
        return string.Join(", ", parts);
    }

    private static string SettingText(MaintenanceSetting s, DateTimeOffset now, bool serviceWide) =>
        $"{(serviceWide ? "service-wide" : "instance")} maintenance {(s.IsOnAt(now) ? "on" : "off")}" +
        (s.Reason is not null ? $", reason: {s.Reason}" : "") + (s.By is not null ? $", by {s.By}" : "") +
        (s.Until is { } u ? $", until {Durations.Time(u)}" : "") + (s.Problem is not null ? $" (unreadable: {s.Problem})" : "");

    public static string ChangeJson(FleetChange change) => FleetRender.Json(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("revision", change.Revision);
        w.WriteString("kind", change.What.Kind switch
        {
            FleetKeyKind.ServiceValue => "service-key",
            FleetKeyKind.InstanceValue => "instance-key",
            FleetKeyKind.Status => "status",
            _ => "slot",
        });
        w.WriteString("service", change.What.Service);
        w.WriteString("instance", change.What.Instance);
        w.WriteBoolean("deleted", change.Value is null);
        w.WritePropertyName("value");
        if (change.Value is null)
        {
            w.WriteNullValue();
        }
        else if (change.What.Kind is FleetKeyKind.ServiceValue or FleetKeyKind.InstanceValue)
        {
            MaintenanceSetting.Parse(change.Value).WriteJson(w);
        }
        else
        {
            FleetRender.WriteRawJson(w, change.Value);
        }
        w.WriteEndObject();
    }, indented: false);
}
