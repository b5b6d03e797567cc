using Google.Protobuf;
using MaintenanceActors.Etcd.Protocol;

namespace MaintenanceActors.Etcd;

/// <summary>An immutable key-value pair as etcd stores it, with its revisions.</summary>
public sealed record EtcdKeyValue(ByteString Key, ByteString Value, long CreateRevision, long ModRevision, long Version, long Lease)
{
    /// <summary>The key decoded as UTF-8.</summary>
    public string KeyString => Key.ToStringUtf8();

    /// <summary>The value decoded as UTF-8.</summary>
    public string ValueString => Value.ToStringUtf8();

    internal static EtcdKeyValue From(KeyValue kv) =>
        new(kv.Key, kv.Value, kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);
}
