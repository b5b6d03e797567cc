using System.Text.Json;
using System.Text.Json.Serialization;

namespace MaintenanceActors.Dashboard.Watch;

/// <summary>A maintenance value as the page shows it: the parser's reading plus the raw text (schedules are shown from it).</summary>
internal sealed record MaintenanceView(bool Enabled, string? Reason, string? By, DateTimeOffset? Until, string? Malformed, string Raw);

/// <summary>One key of the fleet as sent to the page. <see cref="Value"/> is a <see cref="MaintenanceView"/> or the status JSON.</summary>
internal sealed record FleetEntry(
    string Key,
    [property: JsonConverter(typeof(JsonStringEnumConverter<FleetKeyKind>))] FleetKeyKind Kind,
    string Service,
    string? Instance,
    long ModRevision,
    object? Value,
    string? Malformed);

/// <summary>One point of the timeline: what a key said from <see cref="At"/> on (a phase, <c>on</c>/<c>off</c>, or <c>gone</c>).</summary>
internal sealed record FleetTransition(
    DateTimeOffset At,
    long Revision,
    string Service,
    string? Instance,
    [property: JsonConverter(typeof(JsonStringEnumConverter<FleetKeyKind>))] FleetKeyKind Kind,
    string State,
    string? Reason,
    string? By);

/// <summary>The dashboard's link to etcd: connected, or since when it is away and why.</summary>
internal sealed record EtcdLink(bool Connected, string? Error, DateTimeOffset? Since, long Revision);

/// <summary>Everything a newly connected page needs: every key, the recent transitions and the etcd link.</summary>
internal sealed record FleetSnapshot(long Revision, EtcdLink Etcd, IReadOnlyList<FleetEntry> Entries, IReadOnlyList<FleetTransition> Timeline);

/// <summary>One key changed (or was deleted, <see cref="Entry"/> null), with the transition it made, if any.</summary>
internal sealed record FleetChange(long Revision, string Key,
    [property: JsonConverter(typeof(JsonStringEnumConverter<FleetKeyKind>))] FleetKeyKind Kind,
    string Service, string? Instance, bool Deleted, FleetEntry? Entry, FleetTransition? Transition);

/// <summary>One server-sent event: its type, its JSON data and the etcd revision it reflects.</summary>
internal sealed record FleetEvent(string Type, string Data, long Revision)
{
    public const string SnapshotType = "snapshot";
    public const string ChangeType = "change";
    public const string EtcdType = "etcd";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static FleetEvent Snapshot(FleetSnapshot snapshot) => new(SnapshotType, JsonSerializer.Serialize(snapshot, Json), snapshot.Revision);

    public static FleetEvent Change(FleetChange change) => new(ChangeType, JsonSerializer.Serialize(change, Json), change.Revision);

    public static FleetEvent Link(EtcdLink link) => new(EtcdType, JsonSerializer.Serialize(link, Json), link.Revision);
}
