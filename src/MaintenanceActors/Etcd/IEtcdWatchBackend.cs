namespace MaintenanceActors.Etcd;

/// <summary>One key's value as read from etcd.</summary>
internal sealed record EtcdEntry(string Key, byte[] Value, long ModRevision);

/// <summary>The result of a range read: the store revision it was taken at, and the keys found.</summary>
internal sealed record EtcdSnapshot(long Revision, IReadOnlyList<EtcdEntry> Entries);

/// <summary>One watched change; <see cref="Value"/> is null for a delete.</summary>
internal sealed record EtcdChange(string Key, byte[]? Value, long ModRevision);

/// <summary>One watch response: events, a "created" acknowledgement, a progress notification, or a compaction.</summary>
internal sealed record EtcdWatchBatch(long HeaderRevision, IReadOnlyList<EtcdChange> Changes, bool Created = false, bool Progress = false, long CompactRevision = 0);

/// <summary>The narrow slice of etcd the watcher needs; adapted from the project's etcd client, faked in tests.</summary>
internal interface IEtcdWatchBackend
{
    /// <summary>Reads <paramref name="key"/> (or every key under it) and the store revision.</summary>
    Task<EtcdSnapshot> ReadAsync(string key, bool prefix, CancellationToken cancellationToken);

    /// <summary>Watches from <paramref name="fromRevision"/>; ends after a compaction batch; throws when the connection breaks.</summary>
    IAsyncEnumerable<EtcdWatchBatch> WatchAsync(string key, bool prefix, long fromRevision, bool progressNotify, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="value"/>; returns the new revision.</summary>
    Task<long> PutAsync(string key, string value, CancellationToken cancellationToken);
}
