using MaintenanceActors.Grpc;

namespace MaintenanceActors.Etcd.Tests.Grpc;

public sealed class GrpcHeadersSpec
{
    [Theory]
    [InlineData("etcdserver: permission denied", "etcdserver: permission denied")]
    [InlineData("100%25 sure", "100% sure")]
    [InlineData("caf%C3%A9%0Aline", "café\nline")]
    [InlineData("bad %ZZ escape", "bad %ZZ escape")]
    [InlineData("emoji 😀 %41", "emoji 😀 A")]
    [InlineData("trailing %4", "trailing %4")]
    public void Must_percent_decode_grpc_message(string encoded, string expected)
    {
        GrpcStatusMessage.Decode(encoded).Should().Be(expected);
    }

    [Fact]
    public void Must_percent_encode_what_the_spec_requires_and_round_trip()
    {
        var encoded = GrpcStatusMessage.Encode("100% café\n");

        encoded.Should().Be("100%25 caf%C3%A9%0A");
        GrpcStatusMessage.Decode(encoded).Should().Be("100% café\n");
    }

    [Theory]
    [InlineData(50, "50000000n")]
    [InlineData(500, "500000u")]
    [InlineData(10_000, "10000000u")]
    [InlineData(3_600_000, "3600000m")]
    public void Must_format_grpc_timeout_within_eight_digits(int milliseconds, string expected)
    {
        GrpcTimeout.Format(TimeSpan.FromMilliseconds(milliseconds)).Should().Be(expected);
    }

    [Theory]
    [InlineData("5S", 5_000)]
    [InlineData("250m", 250)]
    [InlineData("1H", 3_600_000)]
    public void Must_parse_grpc_timeout(string value, int milliseconds)
    {
        GrpcTimeout.TryParse(value, out var timeout).Should().BeTrue();
        timeout.Should().Be(TimeSpan.FromMilliseconds(milliseconds));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("123456789S")]
    [InlineData("5X")]
    public void Must_reject_a_malformed_grpc_timeout(string value)
    {
        GrpcTimeout.TryParse(value, out _).Should().BeFalse();
    }
}
