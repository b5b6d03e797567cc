using System.Text.Json;

namespace MaintenanceActors.Cli.Fleet;

/// <summary>One resource line of an instance's status.</summary>
internal sealed record ResourceStatus(string Name, string? State, string? Outcome, int? InFlight);

/// <summary>
/// An instance's published status (<c>/maintenance-status/&lt;service&gt;/&lt;id&gt;</c>), read tolerantly: every field may be missing or null,
/// unknown fields are ignored, and a value that is not a JSON object still gives a row (phase "unreadable") rather than an error.
/// </summary>
internal sealed record InstanceStatus(
    string Instance,
    string Phase,
    bool InMaintenance,
    string? Host,
    string? Version,
    long? Epoch,
    string? Reason,
    string? By,
    DateTimeOffset? Until,
    string? Source,
    int? InFlight,
    DateTimeOffset? DrainStartedAt,
    long? DrainDurationMs,
    DateTimeOffset? DrainDeadline,
    IReadOnlyList<ResourceStatus> Resources,
    DateTimeOffset? UpdatedAt,
    string Raw)
{
    public const string Serving = "serving";
    public const string Draining = "draining";
    public const string Drained = "drained";
    public const string TimedOut = "timed-out";
    public const string Resuming = "resuming";
    public const string Unreadable = "unreadable";

    /// <summary>Serving and not in maintenance: the one state that counts as available.</summary>
    public bool IsAvailable => Phase == Serving && !InMaintenance;

    /// <summary>The drain is over (drained, or its deadline passed): what a roll waits for.</summary>
    public bool IsDrainOver => InMaintenance && Phase is Drained or TimedOut;

    /// <summary>The drain's progress from 0 to 1 by time against its deadline (1 once drained); null when not draining.</summary>
    public double? DrainProgress(DateTimeOffset now) => Phase switch
    {
        Drained or TimedOut => 1,
        Draining when DrainStartedAt is { } start && DrainDeadline is { } deadline && deadline > start =>
            Math.Clamp((now - start) / (deadline - start), 0, 1),
        _ => null,
    };

    /// <summary>The resources' outcomes as one short text: "http drained, queue timed-out".</summary>
    public string Outcomes => Resources.Count == 0 ? "" : string.Join(", ", Resources.Select(r => $"{r.Name} {r.Outcome ?? r.State ?? "?"}"));

    public static InstanceStatus Parse(string instance, string raw)
    {
        try
        {
            using var doc = JsonDocument.Parse(raw);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return UnreadableStatus(instance, raw);
            }
            var resources = new List<ResourceStatus>();
            if (root.TryGetProperty("resources", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var r in list.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.Object))
                {
                    resources.Add(new ResourceStatus(Text(r, "name") ?? "?", Text(r, "state"), Text(r, "outcome"), Int(r, "inFlight")));
                }
            }
            return new InstanceStatus(
                Text(root, "instance") ?? instance,
                Text(root, "phase")?.ToLowerInvariant() ?? "unknown",
                root.TryGetProperty("inMaintenance", out var m) && m.ValueKind == JsonValueKind.True,
                Text(root, "host"),
                Text(root, "version"),
                root.TryGetProperty("epoch", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var epoch) ? epoch : null,
                Text(root, "reason"),
                Text(root, "by"),
                MaintenanceSetting.Time(root, "until"),
                Text(root, "source"),
                Int(root, "inFlight"),
                MaintenanceSetting.Time(root, "drainStartedAt"),
                root.TryGetProperty("drainDurationMs", out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var ms) ? ms : null,
                MaintenanceSetting.Time(root, "drainDeadline"),
                resources,
                MaintenanceSetting.Time(root, "updatedAt"),
                raw);
        }
        catch (JsonException)
        {
            return UnreadableStatus(instance, raw);
        }
    }

    private static InstanceStatus UnreadableStatus(string instance, string raw) =>
        new(instance, Unreadable, false, null, null, null, null, null, null, null, null, null, null, null, [], null, raw);

    private static string? Text(JsonElement e, string name) => MaintenanceSetting.Text(e, name);

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;
}
