using Etcdserverpb;
using Google.Protobuf;
using MaintenanceActors.Etcd;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Fleet.Tests.Support;

/// <summary>Reads the published statuses of a service from etcd, as maintctl would.</summary>
public static class StatusReader
{
    public static async Task<IReadOnlyDictionary<string, (InstanceStatus Status, long Lease)>> ReadAsync(EtcdTestWriter writer, string service)
    {
        var prefix = ByteString.CopyFromUtf8(FleetKeys.StatusPrefix(service));
        var response = await writer.Client.GetAsync(new RangeRequest { Key = prefix, RangeEnd = EtcdClientBackend.PrefixEnd(prefix) },
            deadline: DateTime.UtcNow.AddSeconds(10));
        var statuses = new Dictionary<string, (InstanceStatus, long)>(StringComparer.Ordinal);
        foreach (var kv in response.Kvs)
        {
            FleetKeys.TryParseStatusKey(kv.Key.ToStringUtf8(), out _, out var id).Should().BeTrue();
            statuses[id] = (InstanceStatusJson.Parse(kv.Value.ToStringUtf8()), kv.Lease);
        }
        return statuses;
    }
}
