using System.Text;
using System.Text.Json;

namespace MaintenanceActors;

/// <summary>Reads a raw maintenance value (etcd value, file content, webhook body) the way GoMaint does, plus a JSON form.</summary>
/// <remarks>
/// Plain text, trimmed and case-insensitive: <c>true 1 yes on enabled maintenance</c> mean on; anything
/// else (including empty) means off, as in GoMaint. A value starting with <c>{</c> is JSON:
/// <c>{"enabled":true,"reason":"…","by":"…","until":"2026-01-01T00:00:00Z"}</c>, where <c>enabled</c> is
/// <c>true</c>/<c>false</c>, <c>1</c>/<c>0</c>, or a string holding one of the plain words
/// (<c>true 1 yes on enabled maintenance</c> or <c>false 0 no off disabled</c>). JSON may also carry scheduled windows,
/// <c>"windows":[{"start":"…Z","end":"…Z"}]</c> and <c>"weekly":[{"days":["Sat"],"start":"02:00","end":"04:00","timeZone":"UTC"}]</c>:
/// then <c>enabled</c> may be left out and switches the schedule, the value itself reads as off, and its windows are in
/// <see cref="MaintenanceValue.Schedule"/> (the schedule source votes on inside them). Malformed JSON, an invalid
/// field or bytes that are not UTF-8 make a malformed value (<see cref="MaintenanceValue.IsMalformed"/>): it
/// changes nothing, and its warning names the key, the revision and the field.
/// </remarks>
public static class MaintenanceValueParser
{
    private static readonly HashSet<string> OnWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "1", "yes", "on", "enabled", "maintenance",
    };

    // Inside JSON an unknown word is a typo, not "off": only these read as off there.
    private static readonly HashSet<string> OffWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "false", "0", "no", "off", "disabled",
    };

    /// <summary>Parses UTF-8 bytes; <paramref name="key"/> and <paramref name="revision"/> only label warnings.</summary>
    public static MaintenanceValue Parse(ReadOnlySpan<byte> raw, string key, long revision)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(raw);
        }
        catch (DecoderFallbackException)
        {
            return Malformed(key, revision, "the value is not valid UTF-8");
        }
        return Parse(text, key, revision);
    }

    /// <summary>Parses text; <paramref name="key"/> and <paramref name="revision"/> only label warnings.</summary>
    public static MaintenanceValue Parse(string? raw, string key, long revision)
    {
        var text = raw?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            return MaintenanceValue.Off;
        }
        if (text[0] == '{')
        {
            return ParseJson(text, key, revision);
        }
        return OnWords.Contains(text) ? new MaintenanceValue(true, null, null) : MaintenanceValue.Off;
    }

    /// <summary>Formats a value as the JSON form this parser reads (what <c>SetMaintenanceModeAsync</c> writes).</summary>
    public static string Format(bool enabled, MaintenanceInfo? info)
    {
        if (info is null || info == MaintenanceInfo.None)
        {
            return enabled ? "true" : "false";
        }
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("enabled", enabled);
            if (info.Reason is not null) writer.WriteString("reason", info.Reason);
            if (info.By is not null) writer.WriteString("by", info.By);
            if (info.Until is { } until) writer.WriteString("until", until.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static MaintenanceValue ParseJson(string text, string key, long revision)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            return Malformed(key, revision, $"the value is not valid JSON ({ex.Message})");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Malformed(key, revision, "the JSON value must be an object");
            }
            var schedule = ReadSchedule(root, key, revision, out var scheduleProblem);
            if (scheduleProblem is not null)
            {
                return scheduleProblem;
            }
            bool enabled;
            if (!root.TryGetProperty("enabled", out var enabledElement))
            {
                if (schedule is null)
                {
                    return Malformed(key, revision, "field \"enabled\" is missing (it may be left out only when \"windows\" or \"weekly\" are given)");
                }
                enabled = true; // a schedule alone is switched on
            }
            else
            {
                switch (enabledElement.ValueKind)
                {
                    case JsonValueKind.True: enabled = true; break;
                    case JsonValueKind.False: enabled = false; break;
                    case JsonValueKind.Number when enabledElement.TryGetInt32(out var number) && number is 0 or 1: enabled = number == 1; break;
                    case JsonValueKind.String when OnWords.Contains(enabledElement.GetString()!.Trim()): enabled = true; break;
                    case JsonValueKind.String when OffWords.Contains(enabledElement.GetString()!.Trim()): enabled = false; break;
                    default: return Malformed(key, revision, $"field \"enabled\" is {enabledElement.GetRawText()}, but must be true or false (or 1/0, or \"on\"/\"off\")");
                }
            }
            string? reason = null, by = null;
            DateTimeOffset? until = null;
            if (root.TryGetProperty("reason", out var r))
            {
                if (r.ValueKind == JsonValueKind.String) reason = r.GetString();
                else if (r.ValueKind != JsonValueKind.Null) return Malformed(key, revision, "field \"reason\" must be a string");
            }
            if (root.TryGetProperty("by", out var b))
            {
                if (b.ValueKind == JsonValueKind.String) by = b.GetString();
                else if (b.ValueKind != JsonValueKind.Null) return Malformed(key, revision, "field \"by\" must be a string");
            }
            if (root.TryGetProperty("until", out var u) && u.ValueKind != JsonValueKind.Null)
            {
                if (u.ValueKind != JsonValueKind.String || !u.TryGetDateTimeOffset(out var parsed))
                {
                    return Malformed(key, revision, $"field \"until\" is {u.GetRawText()}, but must be an ISO-8601 time such as 2026-01-01T00:00:00Z");
                }
                until = parsed;
            }
            var info = reason is null && by is null && until is null ? null : new MaintenanceInfo(reason, by, until);
            if (schedule is not null)
            {
                // With windows, "enabled" switches the schedule, not maintenance: the schedule source votes on inside a window.
                return new MaintenanceValue(false, info, null, enabled ? schedule : null);
            }
            return new MaintenanceValue(enabled, info, null);
        }
    }

    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private static MaintenanceSchedule? ReadSchedule(JsonElement root, string key, long revision, out MaintenanceValue? problem)
    {
        problem = null;
        var hasWindows = root.TryGetProperty("windows", out var windowsElement) && windowsElement.ValueKind != JsonValueKind.Null;
        var hasWeekly = root.TryGetProperty("weekly", out var weeklyElement) && weeklyElement.ValueKind != JsonValueKind.Null;
        if (!hasWindows && !hasWeekly)
        {
            return null;
        }
        var windows = new List<MaintenanceWindow>();
        var weekly = new List<WeeklyWindow>();
        if (hasWindows)
        {
            if (windowsElement.ValueKind != JsonValueKind.Array)
            {
                problem = Malformed(key, revision, "field \"windows\" must be an array of {\"start\":\"<ISO time>\",\"end\":\"<ISO time>\"}");
                return null;
            }
            var i = 0;
            foreach (var w in windowsElement.EnumerateArray())
            {
                var field = $"windows[{i++}]";
                if (w.ValueKind != JsonValueKind.Object || !Time(w, "start", out var start) || !Time(w, "end", out var end))
                {
                    problem = Malformed(key, revision, $"field \"{field}\" must have \"start\" and \"end\" as ISO-8601 times such as 2026-01-01T02:00:00Z");
                    return null;
                }
                if (end <= start)
                {
                    problem = Malformed(key, revision, $"field \"{field}\" ends before it starts");
                    return null;
                }
                windows.Add(new MaintenanceWindow(start, end));
            }
        }
        if (hasWeekly)
        {
            if (weeklyElement.ValueKind != JsonValueKind.Array)
            {
                problem = Malformed(key, revision, "field \"weekly\" must be an array of {\"days\":[\"Sat\"],\"start\":\"02:00\",\"end\":\"04:00\",\"timeZone\":\"UTC\"}");
                return null;
            }
            var i = 0;
            foreach (var w in weeklyElement.EnumerateArray())
            {
                var field = $"weekly[{i++}]";
                var parsed = ReadWeekly(w, field, out var what);
                if (parsed is null)
                {
                    problem = Malformed(key, revision, what!);
                    return null;
                }
                weekly.Add(parsed);
            }
        }
        if (windows.Count == 0 && weekly.Count == 0)
        {
            problem = Malformed(key, revision, "fields \"windows\" and \"weekly\" hold no window");
            return null;
        }
        return new MaintenanceSchedule(windows, weekly);
    }

    private static WeeklyWindow? ReadWeekly(JsonElement w, string field, out string? problem)
    {
        problem = null;
        if (w.ValueKind != JsonValueKind.Object)
        {
            problem = $"field \"{field}\" must be an object";
            return null;
        }
        var days = new List<DayOfWeek>();
        if (!w.TryGetProperty("days", out var daysElement) || daysElement.ValueKind != JsonValueKind.Array)
        {
            problem = $"field \"{field}.days\" must list days such as [\"Sat\",\"Sun\"]";
            return null;
        }
        foreach (var d in daysElement.EnumerateArray())
        {
            var name = d.ValueKind == JsonValueKind.String ? d.GetString()!.Trim().ToLowerInvariant() : "";
            var index = name.Length >= 3 ? Array.IndexOf(DayNames, name[..3]) : -1;
            if (index < 0)
            {
                problem = $"field \"{field}.days\" holds {d.GetRawText()}, which is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)";
                return null;
            }
            days.Add((DayOfWeek)index);
        }
        if (days.Count == 0)
        {
            problem = $"field \"{field}.days\" is empty";
            return null;
        }
        if (!Clock(w, "start", out var start) || !Clock(w, "end", out var end))
        {
            problem = $"field \"{field}\" must have \"start\" and \"end\" as times of day such as \"02:00\"";
            return null;
        }
        if (start == end)
        {
            problem = $"field \"{field}\" starts and ends at the same time";
            return null;
        }
        var zone = TimeZoneInfo.Utc;
        if (w.TryGetProperty("timeZone", out var tz) && tz.ValueKind != JsonValueKind.Null)
        {
            var id = tz.ValueKind == JsonValueKind.String ? tz.GetString()!.Trim() : "";
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
            {
                problem = $"field \"{field}.timeZone\" is {tz.GetRawText()}, which is not a known time zone (use an IANA name such as Europe/Berlin, or UTC)";
                return null;
            }
        }
        return new WeeklyWindow(days.Distinct().ToArray(), start, end, zone);
    }

    private static bool Time(JsonElement parent, string name, out DateTimeOffset value)
    {
        value = default;
        return parent.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String && e.TryGetDateTimeOffset(out value);
    }

    private static bool Clock(JsonElement parent, string name, out TimeOnly value)
    {
        value = default;
        return parent.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String
            && TimeOnly.TryParseExact(e.GetString(), ["HH:mm", "HH:mm:ss"], System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out value);
    }

    private static MaintenanceValue Malformed(string key, long revision, string what) =>
        new(false, null, $"maintenance value of '{key}' at revision {revision} is malformed: {what}; kept the last known state");
}
