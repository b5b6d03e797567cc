using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace MaintenanceActors.Testing;

/// <summary>
/// Writes keys for specs and answers with the revision etcd gave each write; owns (and disposes) its client. A call whose auth
/// token etcd refused (e.g. expired under a short --auth-token-ttl) is sent once more: the client fetched a fresh token meanwhile.
/// </summary>
public sealed class EtcdTestWriter(EtcdClient client) : IAsyncDisposable, IDisposable
{
    /// <summary>The client underneath, for calls this writer does not wrap.</summary>
    public EtcdClient Client { get; } = client;

    /// <summary>Puts <paramref name="value"/> at <paramref name="key"/>; returns the revision of the write.</summary>
    public async Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default) =>
        (await Retried(() => Client.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) },
            deadline: Deadline(), cancellationToken: cancellationToken))).Header.Revision;

    /// <summary>Deletes <paramref name="key"/>; returns the revision of the delete.</summary>
    public async Task<long> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        (await Retried(() => Client.DeleteAsync(new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key) }, deadline: Deadline(),
            cancellationToken: cancellationToken))).Header.Revision;

    /// <summary>Compacts history up to <paramref name="revision"/> and waits until the compaction is applied.</summary>
    public Task CompactAsync(long revision, CancellationToken cancellationToken = default) =>
        Retried(() => Client.CompactAsync(new CompactionRequest { Revision = revision, Physical = true }, deadline: Deadline(),
            cancellationToken: cancellationToken));

    private static async Task<T> Retried<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
        {
            // Refused before it was applied; the client dropped the refused token and authenticates again on this call.
            return await call();
        }
    }

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(10);

    public void Dispose() => Client.Dispose();

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        return ValueTask.CompletedTask;
    }
}
