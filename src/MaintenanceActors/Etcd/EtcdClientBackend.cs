using System.Runtime.CompilerServices;
using Google.Protobuf;
using MaintenanceActors.Etcd.Protocol;

namespace MaintenanceActors.Etcd;

/// <summary>Adapts the project's <see cref="EtcdClient"/> to what the watcher needs.</summary>
internal sealed class EtcdClientBackend(EtcdClient client) : IEtcdWatchBackend
{
    public async Task<EtcdSnapshot> ReadAsync(string key, bool prefix, CancellationToken cancellationToken)
    {
        var keyBytes = ByteString.CopyFromUtf8(key);
        var request = new RangeRequest { Key = keyBytes };
        if (prefix)
        {
            request.RangeEnd = EtcdKeys.PrefixEnd(keyBytes);
        }
        var response = await client.RangeAsync(request, cancellationToken).ConfigureAwait(false);
        var entries = response.Kvs.Select(kv => new EtcdEntry(kv.Key.ToStringUtf8(), kv.Value.ToByteArray(), kv.ModRevision)).ToArray();
        return new EtcdSnapshot(response.Header.Revision, entries);
    }

    public async IAsyncEnumerable<EtcdWatchBatch> WatchAsync(string key, bool prefix, long fromRevision, bool progressNotify,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        EtcdWatch watch;
        long compacted;
        try
        {
            watch = await client.WatchAsync(key, new EtcdWatchOptions { Prefix = prefix, StartRevision = fromRevision, ProgressNotify = progressNotify },
                cancellationToken).ConfigureAwait(false);
            compacted = 0;
        }
        catch (EtcdCompactedException ex)
        {
            watch = null!;
            compacted = Math.Max(1, ex.CompactRevision);
        }
        if (compacted > 0)
        {
            yield return new EtcdWatchBatch(0, Array.Empty<EtcdChange>(), CompactRevision: compacted);
            yield break;
        }
        await using var _ = watch;
        yield return new EtcdWatchBatch(watch.CreatedRevision, Array.Empty<EtcdChange>(), Created: true);
        var reader = watch.Responses;
        while (true)
        {
            EtcdWatchResponse response;
            try
            {
                if (!await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
                if (!reader.TryRead(out response!))
                {
                    continue;
                }
            }
            catch (EtcdCompactedException ex)
            {
                compacted = Math.Max(1, ex.CompactRevision);
                break;
            }
            var changes = response.Events.Select(e => new EtcdChange(
                e.Kv.KeyString,
                e.Type == EtcdEventType.Delete ? null : e.Kv.Value.ToByteArray(),
                e.Kv.ModRevision)).ToArray();
            yield return new EtcdWatchBatch(response.Revision, changes, Progress: response.IsProgressNotify);
        }
        if (compacted > 0)
        {
            yield return new EtcdWatchBatch(0, Array.Empty<EtcdChange>(), CompactRevision: compacted);
        }
    }

    public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken) =>
        client.PutAsync(key, value, 0, cancellationToken);
}
