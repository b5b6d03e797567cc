using Google.Protobuf;

namespace MaintenanceActors.Etcd;

/// <summary>Helpers for etcd key ranges.</summary>
public static class EtcdKeys
{
    private static readonly ByteString AllKeys = ByteString.CopyFrom(0);

    /// <summary>The range_end that makes a range cover every key starting with <paramref name="prefix"/> (an empty prefix means all keys).</summary>
    public static ByteString PrefixEnd(ByteString prefix)
    {
        var bytes = prefix.ToByteArray();
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xFF)
            {
                bytes[i]++;
                return ByteString.CopyFrom(bytes, 0, i + 1);
            }
        }
        // Every byte is 0xFF (or the prefix is empty): no upper bound, so "\0" asks for all keys from the prefix on.
        return AllKeys;
    }

    /// <summary>The range_end for a UTF-8 prefix.</summary>
    public static ByteString PrefixEnd(string prefix) => PrefixEnd(ByteString.CopyFromUtf8(prefix));
}
