using Google.Protobuf;
using MaintenanceActors.Etcd.Protocol;
using MaintenanceActors.Grpc;

namespace MaintenanceActors.Etcd.Tests.Grpc;

/// <summary>The call layer against grpcio, so it is checked against an implementation other than etcd's grpc-go.</summary>
public sealed class GrpcCallInvokerSpec(GrpcPeer peer) : IClassFixture<GrpcPeer>, IDisposable
{
    private static readonly PutRequest Request = new() { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("v") };
    private readonly GrpcCallInvoker invoker = new(new SocketsHttpHandler(), TimeProvider.System);

    [Fact]
    public async Task Must_make_a_unary_call()
    {
        var reply = await invoker.UnaryAsync(peer.Endpoint, "/test.Peer/Unary", Request, PutRequest.Parser, GrpcCallOptions.Default, default);

        reply.Should().Be(Request);
    }

    [Fact]
    public async Task Must_read_a_trailers_only_error_with_its_percent_decoded_message()
    {
        var call = () => invoker.UnaryAsync(peer.Endpoint, "/test.Peer/Fail", Request, PutRequest.Parser, GrpcCallOptions.Default, default);

        var error = (await call.Should().ThrowAsync<GrpcCallException>()).Which;
        error.StatusCode.Should().Be(GrpcStatusCode.PermissionDenied);
        error.Detail.Should().Be("nope: café 100%");
    }

    [Fact]
    public async Task Must_send_metadata_and_the_deadline_as_grpc_timeout()
    {
        var options = new GrpcCallOptions([new("x-custom", "hello")], DateTimeOffset.UtcNow.AddSeconds(30));

        var reply = await invoker.UnaryAsync(peer.Endpoint, "/test.Peer/Metadata", Request, AuthenticateRequest.Parser, options, default);

        reply.Name.Should().StartWith("x-custom=hello;deadline=");
        double.Parse(reply.Name.Split("deadline=")[1], System.Globalization.CultureInfo.InvariantCulture).Should().BeInRange(20, 30);
    }

    [Fact]
    public async Task Must_fail_with_deadline_exceeded_when_the_deadline_passes()
    {
        var options = new GrpcCallOptions(null, DateTimeOffset.UtcNow.AddMilliseconds(300));

        var call = () => invoker.UnaryAsync(peer.Endpoint, "/test.Peer/Slow", Request, PutRequest.Parser, options, default);

        (await call.Should().ThrowAsync<GrpcCallException>()).Which.StatusCode.Should().Be(GrpcStatusCode.DeadlineExceeded);
    }

    [Fact]
    public async Task Must_read_a_server_stream_to_its_ok_end()
    {
        await using var call = invoker.ServerStreaming(peer.Endpoint, "/test.Peer/ServerStream", Request, PutRequest.Parser, GrpcCallOptions.Default, default);

        var replies = new List<PutRequest>();
        while (await call.ReadAsync() is { } reply)
            replies.Add(reply);

        replies.Should().HaveCount(3).And.OnlyContain(r => r.Equals(Request));
    }

    [Fact]
    public async Task Must_surface_an_error_status_from_the_trailers_after_messages()
    {
        await using var call = invoker.ServerStreaming(peer.Endpoint, "/test.Peer/FailAfterMessage", Request, PutRequest.Parser, GrpcCallOptions.Default, default);

        (await call.ReadAsync()).Should().Be(Request);
        var next = async () => await call.ReadAsync();

        var error = (await next.Should().ThrowAsync<GrpcCallException>()).Which;
        error.StatusCode.Should().Be(GrpcStatusCode.ResourceExhausted);
        error.Detail.Should().Be("stopped after one");
    }

    [Fact]
    public async Task Must_interleave_writes_and_reads_on_a_duplex_call_and_end_on_half_close()
    {
        await using var call = invoker.Duplex(peer.Endpoint, "/test.Peer/Duplex", PutRequest.Parser, GrpcCallOptions.Default, default);

        for (var i = 0; i < 5; i++)
        {
            var message = new PutRequest { Key = ByteString.CopyFromUtf8($"k{i}") };
            call.Write(message);
            (await call.ReadAsync()).Should().Be(message);
        }
        call.CompleteWrites();

        (await call.ReadAsync()).Should().BeNull();
    }

    [Fact]
    public async Task Must_report_an_unknown_method_as_unimplemented()
    {
        var call = () => invoker.UnaryAsync(peer.Endpoint, "/test.Peer/Missing", Request, PutRequest.Parser, GrpcCallOptions.Default, default);

        (await call.Should().ThrowAsync<GrpcCallException>()).Which.StatusCode.Should().Be(GrpcStatusCode.Unimplemented);
    }

    [Fact]
    public async Task Must_mark_a_refused_connection_as_a_transport_failure_that_was_not_sent()
    {
        var closed = new Uri($"http://127.0.0.1:{Testing.FreePort.Get()}/");

        var call = () => invoker.UnaryAsync(closed, "/test.Peer/Unary", Request, PutRequest.Parser, GrpcCallOptions.Default, default);

        var error = (await call.Should().ThrowAsync<GrpcCallException>()).Which;
        error.StatusCode.Should().Be(GrpcStatusCode.Unavailable);
        error.IsTransportFailure.Should().BeTrue();
        error.RequestNotSent.Should().BeTrue();
        error.Detail.Should().Contain(closed.ToString());
    }

    public void Dispose() => invoker.Dispose();
}
