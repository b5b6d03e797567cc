using System.Globalization;
using System.Text.Json;

namespace MaintenanceActors.Cli.Fleet;

/// <summary>A scheduled window: one-off (<see cref="Start"/>/<see cref="End"/>) or weekly (days, HH:mm, time zone).</summary>
internal sealed record MaintenanceWindow(DateTimeOffset? Start, DateTimeOffset? End, IReadOnlyList<DayOfWeek>? Days, TimeSpan? DailyStart,
    TimeSpan? DailyEnd, string? TimeZone)
{
    public bool Contains(DateTimeOffset now)
    {
        if (Days is null)
        {
            return Start is { } s && End is { } e && now >= s && now < e;
        }
        if (DailyStart is not { } from || DailyEnd is not { } to)
        {
            return false;
        }
        var zone = TimeZoneInfo.Utc;
        if (!string.IsNullOrEmpty(TimeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out zone!))
        {
            return false;
        }
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var time = local.TimeOfDay;
        if (from <= to)
        {
            return Days.Contains(local.DayOfWeek) && time >= from && time < to;
        }
        // A window across midnight (22:00-02:00) belongs to the day it starts on.
        return (Days.Contains(local.DayOfWeek) && time >= from) || (Days.Contains(local.AddDays(-1).DayOfWeek) && time < to);
    }

    public override string ToString() => Days is null
        ? $"{(Start is { } s ? Output.Durations.Time(s) : "?")}..{(End is { } e ? Output.Durations.Time(e) : "?")}"
        : $"{string.Join(",", Days.Select(d => d.ToString()[..3]))} {DailyStart:hh\\:mm}-{DailyEnd:hh\\:mm} {TimeZone ?? "UTC"}";
}

/// <summary>
/// A maintenance value (service-wide or per instance) read tolerantly for display: the plain words, the JSON form with reason, by,
/// until, and scheduled windows. Unknown fields are ignored; a value the services would refuse is kept with <see cref="Problem"/>.
/// </summary>
internal sealed record MaintenanceSetting(bool Enabled, string? Reason, string? By, DateTimeOffset? Until, IReadOnlyList<MaintenanceWindow> Windows,
    string Raw, string? Problem)
{
    private static readonly string[] DayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    /// <summary>Whether this value holds maintenance on at <paramref name="now"/>: on and not past until, or inside a window.</summary>
    public bool IsOnAt(DateTimeOffset now)
    {
        if (Problem is not null)
        {
            return false;
        }
        if (Until is { } until && now >= until)
        {
            return false;
        }
        return Enabled || Windows.Any(w => w.Contains(now));
    }

    public static MaintenanceSetting Parse(string raw)
    {
        var text = raw.Trim();
        if (!text.StartsWith('{'))
        {
            var on = MaintenanceValueParser.Parse(text, "value", 0).Enabled;
            return new MaintenanceSetting(on, null, null, null, [], raw, null);
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Bad(raw, "not a JSON object");
            }
            var windows = new List<MaintenanceWindow>();
            if (root.TryGetProperty("windows", out var oneOff) && oneOff.ValueKind == JsonValueKind.Array)
            {
                foreach (var w in oneOff.EnumerateArray())
                {
                    windows.Add(new MaintenanceWindow(Time(w, "start"), Time(w, "end"), null, null, null, null));
                }
            }
            if (root.TryGetProperty("weekly", out var weekly) && weekly.ValueKind == JsonValueKind.Array)
            {
                foreach (var w in weekly.EnumerateArray())
                {
                    var days = w.TryGetProperty("days", out var d) && d.ValueKind == JsonValueKind.Array
                        ? d.EnumerateArray().Select(x => Array.FindIndex(DayNames, n => x.ValueKind == JsonValueKind.String && x.GetString()!.StartsWith(n, StringComparison.OrdinalIgnoreCase)))
                            .Where(i => i >= 0).Select(i => (DayOfWeek)i).ToArray()
                        : [];
                    windows.Add(new MaintenanceWindow(null, null, days, Clock(w, "start"), Clock(w, "end"), Text(w, "timeZone")));
                }
            }
            var enabled = false;
            if (root.TryGetProperty("enabled", out var e))
            {
                enabled = e.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.Number => e.TryGetInt32(out var n) && n == 1,
                    JsonValueKind.String => MaintenanceValueParser.Parse(e.GetString(), "value", 0).Enabled,
                    _ => false,
                };
            }
            else if (windows.Count == 0)
            {
                return Bad(raw, "field \"enabled\" is missing") with { Reason = Text(root, "reason"), By = Text(root, "by") };
            }
            return new MaintenanceSetting(enabled, Text(root, "reason"), Text(root, "by"), Time(root, "until"), windows, raw, null);
        }
        catch (JsonException ex)
        {
            return Bad(raw, $"not valid JSON ({ex.Message})");
        }
    }

    private static MaintenanceSetting Bad(string raw, string problem) => new(false, null, null, null, [], raw, problem);

    internal static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    internal static DateTimeOffset? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var t) ? t : null;

    private static TimeSpan? Clock(JsonElement e, string name) =>
        Text(e, name) is { } s && TimeSpan.TryParseExact(s, "hh\\:mm", CultureInfo.InvariantCulture, out var t) ? t : null;

    /// <summary>The value as the JSON document maintctl prints for it.</summary>
    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteBoolean("enabled", Enabled);
        w.WriteString("reason", Reason);
        w.WriteString("by", By);
        if (Until is { } u) w.WriteString("until", Output.Durations.Time(u)); else w.WriteNull("until");
        w.WriteStartArray("windows");
        foreach (var window in Windows) w.WriteStringValue(window.ToString());
        w.WriteEndArray();
        w.WriteString("problem", Problem);
        w.WriteString("raw", Raw);
        w.WriteEndObject();
    }
}
