using System.Text;
using System.Text.Json;

namespace MaintenanceActors;

/// <summary>Reads a raw maintenance value (etcd value, file content, webhook body) the way GoMaint does, plus a JSON form.</summary>
/// <remarks>
/// Plain text, trimmed and case-insensitive: <c>true 1 yes on enabled maintenance</c> mean on; anything
/// else (including empty) means off, as in GoMaint. A value starting with <c>{</c> is JSON:
/// <c>{"enabled":true,"reason":"…","by":"…","until":"2026-01-01T00:00:00Z"}</c>, where <c>enabled</c> is
/// <c>true</c>/<c>false</c>, <c>1</c>/<c>0</c>, or a string holding one of the plain words
/// (<c>true 1 yes on enabled maintenance</c> or <c>false 0 no off disabled</c>). Malformed JSON, an invalid
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
            if (!root.TryGetProperty("enabled", out var enabledElement))
            {
                return Malformed(key, revision, "field \"enabled\" is missing");
            }
            bool enabled;
            switch (enabledElement.ValueKind)
            {
                case JsonValueKind.True: enabled = true; break;
                case JsonValueKind.False: enabled = false; break;
                case JsonValueKind.Number when enabledElement.TryGetInt32(out var number) && number is 0 or 1: enabled = number == 1; break;
                case JsonValueKind.String when OnWords.Contains(enabledElement.GetString()!.Trim()): enabled = true; break;
                case JsonValueKind.String when OffWords.Contains(enabledElement.GetString()!.Trim()): enabled = false; break;
                default: return Malformed(key, revision, $"field \"enabled\" is {enabledElement.GetRawText()}, but must be true or false (or 1/0, or \"on\"/\"off\")");
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
            return new MaintenanceValue(enabled, info, null);
        }
    }

    private static MaintenanceValue Malformed(string key, long revision, string what) =>
        new(false, null, $"maintenance value of '{key}' at revision {revision} is malformed: {what}; kept the last known state");
}
