using System.Net;
using System.Net.Sockets;
using MaintenanceActors.Grpc;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests.Connection;

[Collection(SharedEtcd.Name)]
public sealed class FailoverSpec(EtcdServer etcd)
{
    [Fact]
    public async Task Must_name_every_endpoint_tried_when_none_is_reachable()
    {
        var first = $"127.0.0.1:{FreePort.Get()}";
        var second = $"http://127.0.0.1:{FreePort.Get()}";
        await using var client = new EtcdClient($"{first},{second}");

        var get = () => client.GetAsync("/any");

        var error = (await get.Should().ThrowAsync<EtcdConnectionException>()).Which;
        error.EndpointsTried.Should().Equal(new Uri($"http://{first}/"), new Uri(second + "/"));
        error.Message.Should().Contain($"http://{first}/").And.Contain(second + "/");
        error.StatusCode.Should().Be(GrpcStatusCode.Unavailable);
    }

    [Fact]
    public async Task Must_fail_over_from_a_dead_endpoint_to_a_live_one_and_stay_there()
    {
        var dead = new Uri($"http://127.0.0.1:{FreePort.Get()}/");
        await using var client = new EtcdClient(new EtcdClientOptions { Endpoints = [dead.ToString(), etcd.Endpoint] });

        await client.PutAsync("/failover/key", "reached");

        client.CurrentEndpoint.Should().Be(new Uri(etcd.Endpoint + "/"));
        (await client.GetAsync("/failover/key"))!.ValueString.Should().Be("reached");
        await using var watch = await client.WatchAsync("/failover/key");
        watch.Endpoint.Should().Be(new Uri(etcd.Endpoint + "/"));
    }

    [Fact]
    public async Task Must_fail_over_a_lease_keep_alive_stream_from_a_dead_endpoint()
    {
        await using var direct = etcd.CreateClient();
        var lease = await direct.LeaseGrantAsync(30);
        await using var client = new EtcdClient(new EtcdClientOptions { Endpoints = [$"127.0.0.1:{FreePort.Get()}", etcd.Endpoint] });

        var ttl = await client.LeaseKeepAliveOnceAsync(lease.ID);

        ttl.Should().Be(30);
        client.CurrentEndpoint.Should().Be(new Uri(etcd.Endpoint + "/"));
    }

    [Fact]
    public async Task Must_fail_with_deadline_exceeded_when_a_server_accepts_but_never_answers()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = silent.AcceptSocketAsync();
        var endpoint = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        await using var client = new EtcdClient(new EtcdClientOptions { Endpoints = [endpoint], RequestTimeout = TimeSpan.FromMilliseconds(500) });

        var get = () => client.GetAsync("/any");

        (await get.Should().ThrowAsync<EtcdException>()).Which.StatusCode.Should().Be(GrpcStatusCode.DeadlineExceeded);
        (await accepted).Dispose();
    }
}
