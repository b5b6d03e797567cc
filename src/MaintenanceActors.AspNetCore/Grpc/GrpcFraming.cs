using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace MaintenanceActors.AspNetCore.Grpc;

/// <summary>The outcome of reading one length-prefixed gRPC message: the message, the end of the stream, or a status to fail the call with.</summary>
internal readonly record struct GrpcRead<T>(T? Message, GrpcStatusCode Error, string? ErrorMessage)
    where T : class
{
    public bool IsEndOfStream => Message is null && Error == GrpcStatusCode.Ok;
}

/// <summary>
/// gRPC length-prefixed message framing (1 byte compressed flag, 4 bytes big-endian length, payload),
/// kept internal until the shared MaintenanceActors.Grpc framing is available.
/// </summary>
internal static class GrpcFraming
{
    public const int HeaderSize = 5;
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    public static async ValueTask<GrpcRead<T>> ReadMessageAsync<T>(PipeReader reader, MessageParser<T> parser, int maxMessageSize, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= HeaderSize)
            {
                var outcome = TryParse(buffer, parser, maxMessageSize, out var consumed);
                if (outcome is { } done)
                {
                    reader.AdvanceTo(consumed);
                    return done;
                }
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                return buffer.IsEmpty
                    ? default
                    : new GrpcRead<T>(null, GrpcStatusCode.Internal, "Incomplete gRPC message: the request stream ended inside a message.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static GrpcRead<T>? TryParse<T>(ReadOnlySequence<byte> buffer, MessageParser<T> parser, int maxMessageSize, out SequencePosition consumed)
        where T : class, IMessage<T>
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        consumed = buffer.End;
        if (header[0] > 1)
        {
            return new GrpcRead<T>(null, GrpcStatusCode.Internal, "Malformed gRPC message: invalid compressed flag.");
        }

        if (header[0] == 1)
        {
            return new GrpcRead<T>(null, GrpcStatusCode.Unimplemented, "Compressed gRPC messages are not supported.");
        }

        if (length > maxMessageSize)
        {
            return new GrpcRead<T>(null, GrpcStatusCode.ResourceExhausted, $"gRPC message of {length} bytes exceeds the limit of {maxMessageSize}.");
        }

        if (buffer.Length < HeaderSize + length)
        {
            return null;
        }

        var payload = buffer.Slice(HeaderSize, length);
        consumed = payload.End;
        try
        {
            return new GrpcRead<T>(parser.ParseFrom(payload), GrpcStatusCode.Ok, null);
        }
        catch (InvalidProtocolBufferException)
        {
            return new GrpcRead<T>(null, GrpcStatusCode.Internal, $"Malformed gRPC message: not a valid {typeof(T).Name}.");
        }
    }

    /// <summary>Writes one uncompressed message and flushes it, so streamed messages reach the client at once.</summary>
    public static async ValueTask WriteMessageAsync(HttpResponse response, IMessage message, CancellationToken cancellationToken)
    {
        int size = message.CalculateSize();
        var writer = response.BodyWriter;
        var span = writer.GetSpan(HeaderSize + size);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
        message.WriteTo(span.Slice(HeaderSize, size));
        writer.Advance(HeaderSize + size);
        await writer.FlushAsync(cancellationToken);
    }
}
