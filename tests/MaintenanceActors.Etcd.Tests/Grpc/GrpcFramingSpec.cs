using Google.Protobuf;
using MaintenanceActors.Etcd.Protocol;
using MaintenanceActors.Grpc;

namespace MaintenanceActors.Etcd.Tests.Grpc;

public sealed class GrpcFramingSpec
{
    [Fact]
    public async Task Must_round_trip_messages_through_length_prefixed_frames()
    {
        var first = new PutRequest { Key = ByteString.CopyFromUtf8("a"), Value = ByteString.CopyFromUtf8("1") };
        var second = new PutRequest { Key = ByteString.CopyFromUtf8("b") };
        using var stream = new MemoryStream();
        await GrpcFraming.WriteMessageAsync(stream, first);
        await GrpcFraming.WriteMessageAsync(stream, second);
        stream.Position = 0;

        var read1 = await GrpcFraming.ReadMessageAsync(stream, PutRequest.Parser);
        var read2 = await GrpcFraming.ReadMessageAsync(stream, PutRequest.Parser);
        var end = await GrpcFraming.ReadMessageAsync(stream, PutRequest.Parser);

        read1.Should().Be(first);
        read2.Should().Be(second);
        end.Should().BeNull();
    }

    [Fact]
    public void Must_write_a_zero_flag_and_a_big_endian_length()
    {
        var frame = GrpcFraming.Frame(new PutRequest { Key = ByteString.CopyFromUtf8("k") });

        frame[..GrpcFraming.HeaderSize].Should().Equal(0, 0, 0, 0, 3);
        frame.Should().HaveCount(8);
    }

    [Fact]
    public async Task Must_reject_a_compressed_frame_with_a_clear_error()
    {
        using var stream = new MemoryStream([1, 0, 0, 0, 1, 42]);

        var read = async () => await GrpcFraming.ReadMessageAsync(stream, PutRequest.Parser);

        var error = (await read.Should().ThrowAsync<GrpcCallException>()).Which;
        error.StatusCode.Should().Be(GrpcStatusCode.Internal);
        error.Detail.Should().Contain("compressed");
    }

    [Fact]
    public async Task Must_reject_a_frame_larger_than_the_maximum_before_reading_it()
    {
        using var stream = new MemoryStream([0, 0, 0, 4, 0]);

        var read = async () => await GrpcFraming.ReadFrameAsync(stream, maxMessageSize: 1000);

        (await read.Should().ThrowAsync<GrpcCallException>()).Which.StatusCode.Should().Be(GrpcStatusCode.ResourceExhausted);
    }

    [Fact]
    public async Task Must_reject_a_stream_that_ends_inside_a_frame()
    {
        using var stream = new MemoryStream([0, 0, 0, 0, 10, 1, 2]);

        var read = async () => await GrpcFraming.ReadFrameAsync(stream);

        (await read.Should().ThrowAsync<GrpcCallException>()).Which.Detail.Should().Contain("ended inside a message");
    }

    [Fact]
    public void Must_refuse_to_frame_a_message_over_the_maximum()
    {
        var frame = () => GrpcFraming.Frame(new PutRequest { Value = ByteString.CopyFrom(new byte[100]) }, maxMessageSize: 50);

        frame.Should().Throw<GrpcCallException>().Which.StatusCode.Should().Be(GrpcStatusCode.ResourceExhausted);
    }
}
