using Google.Protobuf;
using MaintenanceActors.Etcd.Protocol;

namespace MaintenanceActors.Etcd;

public sealed partial class EtcdClient
{
    /// <summary>
    /// Reads a key or a range (prefix, limit, revision, keys-only, count-only: all fields of etcd's RangeRequest); a read of a compacted
    /// revision throws <see cref="EtcdCompactedException"/>.
    /// </summary>
    public async Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await connection.UnaryAsync(EtcdMethods.Range, request, RangeResponse.Parser, idempotent: true, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (EtcdException ex) when (ex.StatusCode == Grpc.GrpcStatusCode.OutOfRange && ex.Detail.Contains("has been compacted", StringComparison.Ordinal))
        {
            throw new EtcdCompactedException(0, request.Revision, ex);
        }
    }

    /// <summary>Writes a key (value, lease, prev_kv: all fields of etcd's PutRequest).</summary>
    public Task<PutResponse> PutAsync(PutRequest request, CancellationToken cancellationToken = default) =>
        connection.UnaryAsync(EtcdMethods.Put, request, PutResponse.Parser, idempotent: false, cancellationToken);

    /// <summary>Deletes a key or a range (prefix via range_end, prev_kv).</summary>
    public Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken = default) =>
        connection.UnaryAsync(EtcdMethods.DeleteRange, request, DeleteRangeResponse.Parser, idempotent: false, cancellationToken);

    /// <summary>Runs a transaction: if every compare holds, the success operations, otherwise the failure operations.</summary>
    public Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default) =>
        connection.UnaryAsync(EtcdMethods.Txn, request, TxnResponse.Parser, idempotent: false, cancellationToken);

    /// <summary>Compacts the history up to <paramref name="revision"/>; watches and reads of older revisions then fail.</summary>
    public Task<CompactionResponse> CompactAsync(long revision, bool physical = false, CancellationToken cancellationToken = default) =>
        connection.UnaryAsync(EtcdMethods.Compact, new CompactionRequest { Revision = revision, Physical = physical },
            CompactionResponse.Parser, idempotent: true, cancellationToken);

    /// <summary>Reads one key; null when it does not exist.</summary>
    public async Task<EtcdKeyValue?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var response = await RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(key) }, cancellationToken).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : EtcdKeyValue.From(response.Kvs[0]);
    }

    /// <summary>Reads every key that starts with <paramref name="prefix"/>, in key order.</summary>
    public async Task<IReadOnlyList<EtcdKeyValue>> GetPrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var key = ByteString.CopyFromUtf8(prefix);
        var response = await RangeAsync(new RangeRequest { Key = key, RangeEnd = EtcdKeys.PrefixEnd(key) }, cancellationToken)
            .ConfigureAwait(false);
        return response.Kvs.Select(EtcdKeyValue.From).ToList();
    }

    /// <summary>Writes a UTF-8 key and value, optionally attached to a lease; returns the revision of the write.</summary>
    public async Task<long> PutAsync(string key, string value, long leaseId = 0, CancellationToken cancellationToken = default)
    {
        var request = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value), Lease = leaseId };
        var response = await PutAsync(request, cancellationToken).ConfigureAwait(false);
        return response.Header.Revision;
    }

    /// <summary>Deletes one key; returns how many keys were deleted (0 or 1).</summary>
    public async Task<long> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var response = await DeleteRangeAsync(new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key) }, cancellationToken)
            .ConfigureAwait(false);
        return response.Deleted;
    }

    /// <summary>Deletes every key that starts with <paramref name="prefix"/>; returns how many were deleted.</summary>
    public async Task<long> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var key = ByteString.CopyFromUtf8(prefix);
        var response = await DeleteRangeAsync(new DeleteRangeRequest { Key = key, RangeEnd = EtcdKeys.PrefixEnd(key) }, cancellationToken)
            .ConfigureAwait(false);
        return response.Deleted;
    }
}
