using System.CommandLine;
using Grpc.Core;
using MaintenanceActors.Cli.Etcd;
using MaintenanceActors.Cli.Fleet;
using MaintenanceActors.Cli.Output;
using Spectre.Console;

namespace MaintenanceActors.Cli.Commands;

/// <summary>
/// <c>maintctl history &lt;service&gt;</c>: the recent changes of the service-wide key and the instance keys, newest first, read from
/// etcd's revisions: each key's earlier versions are read at (its mod revision − 1) until the key's creation, the limit, or etcd's
/// compaction point. Keys deleted since are not listed (etcd keeps no index of them to read from).
/// </summary>
internal static class HistoryCommand
{
    private sealed record Entry(long Revision, string Scope, MaintenanceSetting Setting);

    public static Command Create(GlobalOptions global, CliIo io)
    {
        var service = new Argument<string>("service") { Description = "the service" };
        var instance = new Option<string?>("--instance", "-i") { Description = "only this instance's key" };
        var limit = new Option<int>("--limit", "-n") { Description = "how many changes to show, newest first", DefaultValueFactory = _ => 20 };
        var command = new Command("history", "Show the recent maintenance changes of a service and its instances (who, why, until) from etcd's revisions")
        {
            service, instance, limit,
        };
        command.SetAction(async (r, ct) =>
        {
            var name = FleetKeys.ValidName(r.GetValue(service), "service");
            var id = r.GetValue(instance) is { } i ? FleetKeys.ValidName(i, "--instance") : null;
            var max = r.GetValue(limit);
            if (max < 1)
            {
                throw new UsageException($"--limit must be at least 1, not {max}");
            }
            var json = global.Json(r);
            using var etcd = FleetEtcd.Connect(global.Etcd(r, io));
            var current = id is null
                ? await etcd.GetAsync(FleetKeys.Service(name), prefix: true, ct)
                : await etcd.GetAsync(FleetKeys.Instance(name, id), prefix: false, ct);
            var entries = new List<Entry>();
            var compacted = false;
            foreach (var kv in current.Items)
            {
                if (FleetKeys.Classify(kv.Key) is not { Kind: FleetKeyKind.ServiceValue or FleetKeyKind.InstanceValue } what || what.Service != name)
                {
                    continue;
                }
                var scope = what.Instance ?? "(service)";
                var (versions, cut) = await VersionsAsync(etcd, kv, max, ct);
                compacted |= cut;
                entries.AddRange(versions.Select(v => new Entry(v.ModRevision, scope, MaintenanceSetting.Parse(v.Value))));
            }
            var shown = entries.OrderByDescending(e => e.Revision).Take(max).ToArray();
            if (json)
            {
                io.Output.WriteLine(FleetRender.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("service", name);
                    w.WriteNumber("revision", current.Revision);
                    w.WriteBoolean("truncatedByCompaction", compacted);
                    w.WriteStartArray("changes");
                    foreach (var e in shown)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("revision", e.Revision);
                        w.WriteString("scope", e.Scope == "(service)" ? "service" : "instance");
                        w.WriteString("instance", e.Scope == "(service)" ? null : e.Scope);
                        w.WritePropertyName("value");
                        e.Setting.WriteJson(w);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }, indented: true));
                return ExitCodes.Ok;
            }
            if (shown.Length == 0)
            {
                io.Output.WriteLine($"no maintenance changes recorded for {name}{(id is null ? "" : $" instance {id}")} (revision {current.Revision})");
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var column in new[] { "REVISION", "SCOPE", "MAINTENANCE", "REASON", "BY", "UNTIL" })
            {
                table.AddColumn(new TableColumn(column).NoWrap());
            }
            foreach (var e in shown)
            {
                var s = e.Setting;
                var state = s.Problem is not null ? "unreadable" : s.Enabled ? "on" : s.Windows.Count > 0 ? "windows" : "off";
                table.AddRow(new Text(e.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Text(e.Scope), new Text(state),
                    new Text(s.Reason ?? ""), new Text(s.By ?? ""), new Text(s.Until is { } u ? Durations.Time(u) : ""));
            }
            io.Console.Write(table);
            if (compacted)
            {
                io.Output.WriteLine("(older changes were compacted away by etcd)");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The key's versions, newest first: the current one, then each read at (mod revision − 1), across re-creations.</summary>
    private static async Task<(List<KeyValue> Versions, bool Compacted)> VersionsAsync(FleetEtcd etcd, KeyValue latest, int max, CancellationToken ct)
    {
        var versions = new List<KeyValue> { latest };
        var at = latest;
        while (versions.Count < max)
        {
            // The version before this one was written at or before mod − 1; at create − 1 for the first version of an incarnation.
            var before = at.Version > 1 ? at.ModRevision - 1 : at.CreateRevision - 1;
            if (before < 1)
            {
                break;
            }
            RangeResult read;
            try
            {
                read = await etcd.GetAsync(at.Key, prefix: false, ct, revision: before);
            }
            catch (EtcdUnavailableException ex) when (ex.InnerException is RpcException { StatusCode: StatusCode.OutOfRange })
            {
                return (versions, true); // "required revision has been compacted"
            }
            if (read.Items.Count == 0)
            {
                break;
            }
            at = read.Items[0];
            versions.Add(at);
        }
        return (versions, false);
    }
}
