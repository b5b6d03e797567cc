using System.Text;
using System.Text.Json;
using MaintenanceActors.Cli.Fleet;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MaintenanceActors.Cli.Output;

/// <summary>Tables and JSON documents for fleet views (status, watch).</summary>
internal static class FleetRender
{
    public static string ServiceLine(ServiceView view, DateTimeOffset now)
    {
        var key = view.ServiceKey;
        var wide = key is null ? "no service-wide key"
            : key.Problem is not null ? $"service-wide key unreadable ({key.Problem})"
            : key.IsOnAt(now) ? $"SERVICE-WIDE MAINTENANCE ON{Details(key.Reason, key.By, key.Until)}{(key.Windows.Count > 0 ? " (window)" : "")}"
            : $"service-wide maintenance off{(key.Windows.Count > 0 ? $" (windows: {string.Join("; ", key.Windows)})" : "")}";
        return $"{view.Service}: {wide}; {view.Instances.Count} instance(s), {view.Available} serving, {view.Unavailable} not serving" +
               (view.SlotsHeld > 0 ? $", {view.SlotsHeld} held by a roll" : "") + $" (revision {view.Revision})";
    }

    private static string Details(string? reason, string? by, DateTimeOffset? until)
    {
        var parts = new List<string>();
        if (reason is not null) parts.Add($"reason: {reason}");
        if (by is not null) parts.Add($"by {by}");
        if (until is { } u) parts.Add($"until {Durations.Time(u)}");
        return parts.Count == 0 ? "" : " (" + string.Join(", ", parts) + ")";
    }

    /// <summary>
    /// One row per instance. <paramref name="live"/> (watch on a terminal) adds a progress bar column and leaves out host and version,
    /// so the table fits an 80-column terminal.
    /// </summary>
    public static Table InstancesTable(ServiceView view, DateTimeOffset now, bool live, int width = 200)
    {
        var table = new Table().Border(TableBorder.Rounded);
        // Below 140 columns the live table keeps what a drain needs: state, maintenance, in flight, progress, reason.
        var narrow = live && width < 140;
        var columns = narrow
            ? new[] { "INSTANCE", "STATE", "MAINTENANCE", "IN FLIGHT", "PROGRESS", "REASON" }
            : live
            ? new[] { "INSTANCE", "STATE", "MAINTENANCE", "REASON", "BY", "UNTIL", "IN FLIGHT", "PROGRESS", "DRAIN" }
            : new[] { "INSTANCE", "STATE", "MAINTENANCE", "REASON", "BY", "UNTIL", "IN FLIGHT", "DRAIN", "HOST", "VERSION" };
        foreach (var column in columns)
        {
            // Free text may wrap on a narrow terminal; the short columns never do.
            var wraps = column is "REASON" or "DRAIN" or "BY" or "UNTIL" or "HOST" or "VERSION";
            table.AddColumn(wraps ? new TableColumn(column) : new TableColumn(column).NoWrap());
        }
        foreach (var i in view.Instances)
        {
            var s = i.Status;
            var (reason, by, until) = s is not null && s.InMaintenance ? (s.Reason, s.By, s.Until)
                : i.Key is { } k && k.IsOnAt(now) ? (k.Reason, k.By, k.Until)
                : view.ServiceKey is { } sk && sk.IsOnAt(now) ? (sk.Reason, sk.By, sk.Until)
                : (null, null, (DateTimeOffset?)null);
            var inFlight = new Text(s?.InFlight?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
            var progress = new Text(s?.DrainProgress(now) is { } p ? Bar(p, 10) : "");
            if (narrow)
            {
                table.AddRow(new Text(i.Id + (i.HeldByRoll ? " *" : "")), new Markup(PhaseMarkup(i.Phase)), new Text(MaintenanceText(view, i, now)),
                    inFlight, progress, new Text(reason ?? ""));
                continue;
            }
            var cells = new List<IRenderable>
            {
                new Text(i.Id + (i.HeldByRoll ? " *" : "")),
                new Markup(PhaseMarkup(i.Phase)),
                new Text(MaintenanceText(view, i, now)),
                new Text(reason ?? ""),
                new Text(by ?? ""),
                new Text(until is { } u ? Durations.Time(u) : ""),
                inFlight,
            };
            if (live)
            {
                cells.Add(progress);
                cells.Add(Drain(s, now, bar: false));
            }
            else
            {
                cells.Add(Drain(s, now, bar: false));
                cells.Add(new Text(s?.Host ?? ""));
                cells.Add(new Text(s?.Version ?? ""));
            }
            table.AddRow(cells);
        }
        if (view.Instances.Count == 0)
        {
            table.AddRow(columns.Select((_, n) => (IRenderable)new Text(n == 0 ? "(none)" : "")).ToArray());
        }
        return table;
    }

    public static string MaintenanceText(ServiceView view, InstanceView i, DateTimeOffset now)
    {
        if (i.Status is { } s)
        {
            return s.InMaintenance ? $"on ({s.Source ?? "?"})" : "off";
        }
        if (view.ServiceKey?.IsOnAt(now) == true) return "on (service)";
        return i.Key?.IsOnAt(now) == true ? "on (instance)" : "off";
    }

    private static string PhaseMarkup(string phase) => phase switch
    {
        InstanceStatus.Serving => "[green]serving[/]",
        InstanceStatus.Draining => "[yellow]draining[/]",
        InstanceStatus.Drained => "[blue]drained[/]",
        InstanceStatus.TimedOut => "[red]timed-out[/]",
        InstanceStatus.Resuming => "[aqua]resuming[/]",
        _ => Markup.Escape(phase),
    };

    private static IRenderable Drain(InstanceStatus? s, DateTimeOffset now, bool bar)
    {
        if (s is null)
        {
            return new Text("");
        }
        var parts = new List<string>();
        if (bar && s.Phase == InstanceStatus.Draining && s.DrainProgress(now) is { } progress)
        {
            parts.Add(Bar(progress));
        }
        if (s.Phase == InstanceStatus.Draining && s.DrainDeadline is { } deadline)
        {
            parts.Add(deadline > now ? $"deadline in {Durations.Format(deadline - now)}" : "deadline passed");
        }
        else if (s.DrainDurationMs is { } ms && s.Phase is InstanceStatus.Drained or InstanceStatus.TimedOut)
        {
            parts.Add($"{s.Phase} in {Durations.Format(TimeSpan.FromMilliseconds(ms))}");
        }
        if (s.Outcomes.Length > 0 && s.Phase != InstanceStatus.Serving)
        {
            parts.Add(s.Outcomes);
        }
        return new Text(string.Join(" · ", parts));
    }

    /// <summary>A bar of <paramref name="cells"/> cells with the percentage: "██████░░░░░░░░░░░░░░  30%".</summary>
    public static string Bar(double progress, int cells = 20)
    {
        var filled = (int)Math.Round(progress * cells);
        return new string('█', filled) + new string('░', cells - filled) + $" {progress * 100,3:0}%";
    }

    public static Table ServicesTable(FleetState state, DateTimeOffset now)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in new[] { "SERVICE", "MAINTENANCE", "REASON", "BY", "UNTIL", "INSTANCES", "SERVING", "NOT SERVING", "IN ROLL" })
        {
            table.AddColumn(new TableColumn(column).NoWrap());
        }
        foreach (var service in state.Services())
        {
            var v = state.View(service);
            var k = v.ServiceKey;
            table.AddRow(
                new Text(service),
                new Text(k is null ? "off" : k.IsOnAt(now) ? "on" : k.Windows.Count > 0 ? "off (windows)" : "off"),
                new Text(k?.Reason ?? ""),
                new Text(k?.By ?? ""),
                new Text(k?.Until is { } u ? Durations.Time(u) : ""),
                new Text(v.Instances.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Text(v.Available.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Text(v.Unavailable.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Text(v.SlotsHeld.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return table;
    }

    public static void WriteService(Utf8JsonWriter w, ServiceView view, DateTimeOffset now)
    {
        w.WriteStartObject();
        w.WriteString("service", view.Service);
        w.WriteNumber("revision", view.Revision);
        w.WriteBoolean("serviceWideMaintenance", view.ServiceKey?.IsOnAt(now) == true);
        w.WritePropertyName("serviceKey");
        if (view.ServiceKey is { } k) k.WriteJson(w); else w.WriteNullValue();
        w.WriteNumber("available", view.Available);
        w.WriteNumber("unavailable", view.Unavailable);
        w.WriteNumber("rollSlotsHeld", view.SlotsHeld);
        w.WriteStartArray("instances");
        foreach (var i in view.Instances)
        {
            WriteInstance(w, view, i, now);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteInstance(Utf8JsonWriter w, ServiceView view, InstanceView i, DateTimeOffset now)
    {
        w.WriteStartObject();
        w.WriteString("instance", i.Id);
        w.WriteString("phase", i.Phase);
        w.WriteBoolean("inMaintenance", i.Status?.InMaintenance ?? (view.ServiceKey?.IsOnAt(now) == true || i.Key?.IsOnAt(now) == true));
        w.WriteBoolean("heldByRoll", i.HeldByRoll);
        w.WritePropertyName("key");
        if (i.Key is { } k) k.WriteJson(w); else w.WriteNullValue();
        w.WritePropertyName("status");
        WriteRawJson(w, i.Status?.Raw);
        w.WriteEndObject();
    }

    /// <summary>The instance's own status document as it published it (a string if it is not JSON, null when absent).</summary>
    public static void WriteRawJson(Utf8JsonWriter w, string? raw)
    {
        if (raw is null)
        {
            w.WriteNullValue();
            return;
        }
        try
        {
            using var doc = JsonDocument.Parse(raw);
            doc.RootElement.WriteTo(w);
        }
        catch (JsonException)
        {
            w.WriteStringValue(raw);
        }
    }

    public static string Json(Action<Utf8JsonWriter> write, bool indented)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(w);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
