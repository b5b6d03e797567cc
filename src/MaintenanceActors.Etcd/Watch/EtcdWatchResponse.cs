namespace MaintenanceActors.Etcd;

/// <summary>What a <see cref="EtcdEvent"/> did to its key.</summary>
public enum EtcdEventType
{
    Put = 0,
    Delete = 1,
}

/// <summary>One change of a key seen by a watch; <see cref="PrevKv"/> is set only when the watch asked for previous values.</summary>
public sealed record EtcdEvent(EtcdEventType Type, EtcdKeyValue Kv, EtcdKeyValue? PrevKv);

/// <summary>
/// One response of a watch: its events (all of one revision or a batch, in revision order) and the store revision
/// of the response header. No events means a progress notification: every change up to <see cref="Revision"/> has been delivered.
/// </summary>
public sealed record EtcdWatchResponse(long WatchId, long Revision, IReadOnlyList<EtcdEvent> Events)
{
    /// <summary>
    /// True for a progress notification (no events; <see cref="Revision"/> says how far the watch has seen, never less than its start
    /// revision - 1, so resuming from <see cref="Revision"/> + 1 neither misses nor replays anything).
    /// </summary>
    public bool IsProgressNotify => Events.Count == 0;
}
