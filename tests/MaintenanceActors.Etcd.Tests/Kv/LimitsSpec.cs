using MaintenanceActors.Grpc;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests.Kv;

[Collection(SharedEtcd.Name)]
public sealed class LimitsSpec(EtcdServer etcd)
{
    [Fact]
    public async Task Must_report_etcds_request_too_large_error_for_a_value_over_its_limit()
    {
        await using var client = etcd.CreateClient();
        var value = new string('x', 1_600_000); // etcd's default --max-request-bytes is 1.5 MiB

        var put = () => client.PutAsync(SharedEtcd.UniquePrefix("limits") + "big", value);

        var error = (await put.Should().ThrowAsync<EtcdException>()).Which;
        error.Detail.Should().Be("etcdserver: request is too large");
        error.StatusCode.Should().Be(GrpcStatusCode.InvalidArgument);
    }

    [Fact]
    public async Task Must_refuse_locally_a_message_over_the_configured_max_message_size()
    {
        await using var client = etcd.CreateClient(o => o.MaxMessageSize = 1024);

        var put = () => client.PutAsync(SharedEtcd.UniquePrefix("limits") + "big", new string('x', 2048));

        var error = (await put.Should().ThrowAsync<EtcdException>()).Which;
        error.StatusCode.Should().Be(GrpcStatusCode.ResourceExhausted);
        error.Detail.Should().Contain("maximum message size of 1024 bytes");
    }

    [Fact]
    public async Task Must_throw_operation_cancelled_when_the_caller_cancels()
    {
        await using var client = etcd.CreateClient();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var get = () => client.GetAsync("/any", cancelled.Token);

        await get.Should().ThrowAsync<OperationCanceledException>();
    }
}
