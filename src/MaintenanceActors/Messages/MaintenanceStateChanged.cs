namespace MaintenanceActors;

/// <summary>A source observed a maintenance value; published on the EventStream for the supervisor.</summary>
/// <param name="Source">Name of the source instance (e.g. "etcd", "file").</param>
/// <param name="Key">What the source watches: the etcd key, the file path, the webhook name.</param>
/// <param name="Enabled">True when this source asks for maintenance.</param>
/// <param name="Info">Reason, author and end time when the value carried them.</param>
/// <param name="Revision">Source-specific, strictly increasing per (Source, Key); the etcd mod revision for etcd.</param>
/// <param name="ObservedAt">When the source saw the value.</param>
/// <param name="IsResync">True when the value was re-read after history was lost (etcd compaction).</param>
/// <param name="Warning">Set when the raw value was malformed and was read as "off".</param>
/// <param name="Schedule">Windows the value carried; the schedule source votes on while inside one (<paramref name="Enabled"/> is then false).</param>
public sealed record MaintenanceStateChanged(
    string Source,
    string Key,
    bool Enabled,
    MaintenanceInfo? Info,
    long Revision,
    DateTimeOffset ObservedAt,
    bool IsResync = false,
    string? Warning = null,
    MaintenanceSchedule? Schedule = null);

/// <summary>Published by a (re)started supervisor: sources tell their current values and health to <paramref name="ReplyTo"/> (not published again).</summary>
public sealed record MaintenanceStateRequested(Akka.Actor.IActorRef ReplyTo);
