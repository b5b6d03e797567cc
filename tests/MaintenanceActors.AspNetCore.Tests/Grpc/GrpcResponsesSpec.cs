using FluentAssertions;
using MaintenanceActors.AspNetCore.Grpc;
using Xunit;

namespace MaintenanceActors.AspNetCore.Tests.Grpc;

/// <summary>The grpc-message encoding of refusals (Grpc.AspNetCore keeps its own encoder internal).</summary>
public sealed class GrpcResponsesSpec
{
    [Theory]
    [InlineData("Service in maintenance: upgrade", "Service in maintenance: upgrade")]
    [InlineData("100% done", "100%25 done")]
    [InlineData("übung", "%C3%BCbung")]
    [InlineData("line\nbreak\ttab", "line%0Abreak%09tab")]
    [InlineData("emoji 😀", "emoji %F0%9F%98%80")]
    [InlineData("del\u007f", "del%7F")]
    [InlineData("", "")]
    public void Must_percent_encode_every_byte_outside_printable_ASCII_and_the_percent_sign(string message, string encoded) =>
        GrpcResponses.PercentEncode(message).Should().Be(encoded);

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("Application/GRPC", true)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void Must_recognise_grpc_content_types_but_not_grpc_web(string? contentType, bool isGrpc) =>
        GrpcResponses.IsGrpcContentType(contentType).Should().Be(isGrpc);
}
