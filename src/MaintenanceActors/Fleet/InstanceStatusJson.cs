using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MaintenanceActors.Fleet;

/// <summary>Writes and reads <see cref="InstanceStatus"/> as the fleet's status JSON (camelCase, UTC ISO-8601 times, nulls written).</summary>
public static class InstanceStatusJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new UtcTimeConverter() },
    };

    /// <summary>The JSON of <paramref name="status"/>.</summary>
    public static string Serialize(InstanceStatus status) => JsonSerializer.Serialize(status, Options);

    /// <summary>Reads a status; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static InstanceStatus Parse(string json)
    {
        InstanceStatus? status;
        try
        {
            status = JsonSerializer.Deserialize<InstanceStatus>(json, Options);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not an instance status: {ex.Message}", ex);
        }
        if (status is null || string.IsNullOrEmpty(status.Service) || string.IsNullOrEmpty(status.Instance) || string.IsNullOrEmpty(status.Phase))
        {
            throw new FormatException("not an instance status: service, instance and phase are required");
        }
        return status with { Resources = status.Resources ?? Array.Empty<InstanceResourceStatus>() };
    }

    /// <summary>Reads a status; false (and null) when the text is not one.</summary>
    public static bool TryParse(string? json, out InstanceStatus? status)
    {
        status = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            return false;
        }
        try
        {
            status = Parse(json);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Formats a time the way the status does: UTC, ISO-8601, milliseconds, "Z".</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TryGetDateTimeOffset(out var value) ? value.ToUniversalTime() : throw new JsonException($"'{reader.GetString()}' is not an ISO-8601 time");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(FormatTime(value));
    }
}
