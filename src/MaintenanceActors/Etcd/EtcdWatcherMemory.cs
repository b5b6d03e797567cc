namespace MaintenanceActors.Etcd;

/// <summary>What an <see cref="EtcdWatcher"/> has seen and published; kept outside the actor so a restarted watcher resumes where it was.</summary>
internal sealed class EtcdWatcherMemory
{
    /// <summary>Per key: the last revision handled, whether the key exists, and the last event published for it.</summary>
    public Dictionary<string, KeyState> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys whose latest value was malformed or too large, with the warning; the source is Degraded while any is here.</summary>
    public Dictionary<string, string> Invalid { get; } = new(StringComparer.Ordinal);

    /// <summary>Recent warnings, newest last.</summary>
    public List<string> Warnings { get; } = new();

    /// <summary>Every revision up to this one has been handled; the watch resumes at the next.</summary>
    public long LastRevision { get; set; }

    /// <summary>True once the first read succeeded (later connections watch instead of reading).</summary>
    public bool HaveSnapshot { get; set; }

    public sealed record KeyState(long Revision, bool Present, MaintenanceStateChanged? LastPublished);
}
