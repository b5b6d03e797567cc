using System.Text.Json;
using System.Text.Json.Serialization;

namespace MaintenanceActors.Failover.Providers;

/// <summary>What an instance writes under <c>/services/{name}/{instanceId}</c>: where it listens and how it should be weighed.</summary>
public sealed record InstanceRegistration(string Address, int Port)
{
    /// <summary>http (default), https, grpc or tcp.</summary>
    public string Protocol { get; init; } = "http";

    /// <summary>Relative share for weighted selection (default 1).</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Lower is preferred by priority-aware strategies (default 0).</summary>
    public int Priority { get; init; }

    /// <summary>Region for geographic selection; null when unknown.</summary>
    public string? Region { get; init; }

    /// <summary>Free-form tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Free-form metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The JSON stored in etcd.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Wire(Address, Port, Protocol, Weight, Priority, Region, Tags.ToArray(),
        new Dictionary<string, string>(Metadata)), Json);

    /// <summary>Reads a stored value; false with the reason when it is not a registration this library can use.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out InstanceRegistration? registration, out string? problem)
    {
        registration = null;
        Wire? wire;
        try
        {
            wire = JsonSerializer.Deserialize<Wire>(utf8, Json);
        }
        catch (JsonException ex)
        {
            problem = $"not valid JSON ({ex.Message})";
            return false;
        }
        if (wire is null || string.IsNullOrWhiteSpace(wire.Address))
        {
            problem = "field \"address\" is missing";
            return false;
        }
        if (wire.Port is not (>= 1 and <= 65535))
        {
            problem = $"field \"port\" is {wire.Port}, but must be from 1 to 65535";
            return false;
        }
        if (wire.Weight is < 0)
        {
            problem = $"field \"weight\" is {wire.Weight}, but must not be negative";
            return false;
        }
        registration = new InstanceRegistration(wire.Address, wire.Port.Value)
        {
            Protocol = string.IsNullOrWhiteSpace(wire.Protocol) ? "http" : wire.Protocol,
            Weight = wire.Weight ?? 1,
            Priority = wire.Priority ?? 0,
            Region = wire.Region,
            Tags = wire.Tags ?? [],
            Metadata = wire.Metadata ?? new Dictionary<string, string>(),
        };
        problem = null;
        return true;
    }

    private sealed record Wire(string? Address, int? Port, string? Protocol, int? Weight, int? Priority, string? Region,
        string[]? Tags, Dictionary<string, string>? Metadata);
}
