using MaintenanceActors.Grpc;

namespace MaintenanceActors.Etcd;

/// <summary>A watch (or read) asked for a revision etcd has already compacted; start again from <see cref="CompactRevision"/> or a fresh read.</summary>
public sealed class EtcdCompactedException : EtcdException
{
    public EtcdCompactedException(long compactRevision, long requestedRevision, Exception? innerException = null)
        : base(GrpcStatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted",
            compactRevision > 0
                ? $"etcd has compacted revision {requestedRevision}; the oldest revision still available is {compactRevision}"
                : $"etcd has compacted revision {requestedRevision}; read the current revision (Revision = 0) instead",
            innerException)
    {
        CompactRevision = compactRevision;
        RequestedRevision = requestedRevision;
    }

    /// <summary>The compaction revision etcd reported: the oldest revision that can still be watched (0 for a read: etcd does not say).</summary>
    public long CompactRevision { get; }

    /// <summary>The start revision the watch asked for (0 when unknown).</summary>
    public long RequestedRevision { get; }
}
