namespace MaintenanceActors.Etcd;

/// <summary>What a watch covers and where it starts.</summary>
public sealed record EtcdWatchOptions
{
    /// <summary>Watch every key starting with the key instead of the key alone. Default false.</summary>
    public bool Prefix { get; init; }

    /// <summary>First revision to deliver (inclusive); 0 (default) means changes after the watch is created.</summary>
    public long StartRevision { get; init; }

    /// <summary>Include each key's previous value in events. Default false.</summary>
    public bool PrevKv { get; init; }

    /// <summary>Ask etcd to send periodic progress notifications while nothing changes (every ~10 min by default in etcd). Default false.</summary>
    public bool ProgressNotify { get; init; }
}
