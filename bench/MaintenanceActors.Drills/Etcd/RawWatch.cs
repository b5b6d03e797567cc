using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using MaintenanceActors.Drills.Core;

namespace MaintenanceActors.Drills.Etcd;

/// <summary>The baseline: the etcd client's bare watch stream (dotnet-etcd's raw gRPC Watch), stamping each event's revision as it is read.</summary>
internal sealed class RawWatch : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<WatchRequest, WatchResponse> _call;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private RawWatch(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, Arrivals arrivals)
    {
        _call = call;
        _reader = Task.Run(() => ReadAsync(arrivals));
    }

    /// <summary>Creates the watch and returns once etcd confirmed it.</summary>
    public static async Task<RawWatch> StartAsync(EtcdClient client, string key, Arrivals arrivals, CancellationToken cancellationToken)
    {
        var call = client.GetConnection().WatchClient.Watch(cancellationToken: CancellationToken.None);
        try
        {
            await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(key) } },
                cancellationToken).ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false) || !call.ResponseStream.Current.Created
                || call.ResponseStream.Current.Canceled)
            {
                throw new InvalidOperationException($"etcd did not create the baseline watch of {key}");
            }
            return new RawWatch(call, arrivals);
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    private async Task ReadAsync(Arrivals arrivals)
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(_stop.Token).ConfigureAwait(false))
            {
                foreach (var change in _call.ResponseStream.Current.Events)
                {
                    arrivals.Record(change.Kv.ModRevision);
                }
            }
        }
        catch (Exception ex) when (_stop.IsCancellationRequested && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Disposed: the drill is over.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _reader.ConfigureAwait(false);
        _call.Dispose();
        _stop.Dispose();
    }
}
