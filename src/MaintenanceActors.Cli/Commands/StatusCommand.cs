using System.CommandLine;
using MaintenanceActors.Cli.Etcd;
using MaintenanceActors.Cli.Fleet;
using MaintenanceActors.Cli.Output;

namespace MaintenanceActors.Cli.Commands;

/// <summary><c>maintctl status [service]</c>: every service, or one service's instances, at one revision.</summary>
internal static class StatusCommand
{
    public static Command Create(GlobalOptions global, CliIo io)
    {
        var service = new Argument<string?>("service") { Description = "the service to show; all services when omitted", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "Show every service, or one service's instances: state, maintenance, reason, by, until, drain outcome") { service };
        command.SetAction(async (r, ct) =>
        {
            var name = r.GetValue(service) is { } s ? FleetKeys.ValidName(s, "service") : null;
            var json = global.Json(r);
            using var etcd = FleetEtcd.Connect(global.Etcd(r, io));
            var now = io.Time.GetUtcNow();
            var state = new FleetState();
            if (name is null)
            {
                state.Load(await etcd.GetPrefixesAsync([FleetKeys.MaintenancePrefix, FleetKeys.StatusPrefix, FleetKeys.RollPrefix], ct));
                if (json)
                {
                    io.Output.WriteLine(FleetRender.Json(w =>
                    {
                        w.WriteStartObject();
                        w.WriteNumber("revision", state.Revision);
                        w.WriteStartArray("services");
                        foreach (var svc in state.Services())
                        {
                            FleetRender.WriteService(w, state.View(svc), now);
                        }
                        w.WriteEndArray();
                        w.WriteEndObject();
                    }, indented: true));
                }
                else if (state.Services().Count == 0)
                {
                    io.Output.WriteLine($"no services under {FleetKeys.MaintenancePrefix} or {FleetKeys.StatusPrefix} (revision {state.Revision})");
                }
                else
                {
                    io.Console.Write(FleetRender.ServicesTable(state, now));
                }
                return ExitCodes.Ok;
            }
            state.Load(await etcd.GetPrefixesAsync([FleetKeys.Service(name), FleetKeys.StatusOf(name), FleetKeys.SlotsOf(name)], ct));
            var view = state.View(name);
            if (json)
            {
                io.Output.WriteLine(FleetRender.Json(w => FleetRender.WriteService(w, view, now), indented: true));
            }
            else
            {
                io.Output.WriteLine(FleetRender.ServiceLine(view, now));
                io.Console.Write(FleetRender.InstancesTable(view, now, live: false));
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
