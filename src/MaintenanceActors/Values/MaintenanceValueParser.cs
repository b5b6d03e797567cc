using System.Text;
using System.Text.Json;

namespace MaintenanceActors;

/// <summary>Reads a raw maintenance value (etcd value, file content, webhook body) the way GoMaint does, plus a JSON form.</summary>
/// <remarks>
/// Plain text, trimmed and case-insensitive: <c>true 1 yes on enabled maintenance</c> mean on; anything
/// else (including empty) means off. A value starting with <c>{</c> is JSON:
/// <c>{"enabled":true,"reason":"…","by":"…","until":"2026-01-01T00:00:00Z"}</c>. Malformed JSON reads as
/// off and carries a warning naming the key, the revision and what was wrong.
/// </remarks>
public static class MaintenanceValueParser
{
    private static readonly HashSet<string> OnWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "1", "yes", "on", "enabled", "maintenance",
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
            return new MaintenanceValue(false, null, Warn(key, revision, "the value is not valid UTF-8"));
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
            if (!root.TryGetProperty("enabled", out var enabledElement))
            {
                return Malformed(key, revision, "the JSON object has no \"enabled\" field");
            }
            bool enabled;
            switch (enabledElement.ValueKind)
            {
                case JsonValueKind.True: enabled = true; break;
                case JsonValueKind.False: enabled = false; break;
                case JsonValueKind.String: enabled = OnWords.Contains(enabledElement.GetString()!.Trim()); break;
                default: return Malformed(key, revision, "\"enabled\" must be true or false");
            }
            string? reason = null, by = null;
            DateTimeOffset? until = null;
            if (root.TryGetProperty("reason", out var r))
            {
                if (r.ValueKind == JsonValueKind.String) reason = r.GetString();
                else if (r.ValueKind != JsonValueKind.Null) return Malformed(key, revision, "\"reason\" must be a string");
            }
            if (root.TryGetProperty("by", out var b))
            {
                if (b.ValueKind == JsonValueKind.String) by = b.GetString();
                else if (b.ValueKind != JsonValueKind.Null) return Malformed(key, revision, "\"by\" must be a string");
            }
            if (root.TryGetProperty("until", out var u) && u.ValueKind != JsonValueKind.Null)
            {
                if (u.ValueKind != JsonValueKind.String || !u.TryGetDateTimeOffset(out var parsed))
                {
                    return Malformed(key, revision, "\"until\" must be an ISO-8601 time such as 2026-01-01T00:00:00Z");
                }
                until = parsed;
            }
            var info = reason is null && by is null && until is null ? null : new MaintenanceInfo(reason, by, until);
            return new MaintenanceValue(enabled, info, null);
        }
    }

    private static MaintenanceValue Malformed(string key, long revision, string what) =>
        new(false, null, Warn(key, revision, what) + "; read as off");

    private static string Warn(string key, long revision, string what) =>
        $"maintenance value of '{key}' at revision {revision} is malformed: {what}";
}
