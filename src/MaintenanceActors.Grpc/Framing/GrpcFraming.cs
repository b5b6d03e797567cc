using System.Buffers.Binary;
using Google.Protobuf;

namespace MaintenanceActors.Grpc;

/// <summary>
/// Reads and writes gRPC length-prefixed messages (1 byte compressed flag, 4 bytes big-endian length, payload),
/// for clients and server-side middleware alike.
/// </summary>
public static class GrpcFraming
{
    /// <summary>The size of the prefix in front of every message.</summary>
    public const int HeaderSize = 5;

    /// <summary>Serializes a message into one frame (prefix and payload) in a new array.</summary>
    public static byte[] Frame(IMessage message, int maxMessageSize = GrpcProtocol.DefaultMaxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(message);
        var size = message.CalculateSize();
        if (size > maxMessageSize)
            throw new GrpcCallException(GrpcStatusCode.ResourceExhausted,
                $"Refusing to send a message of {size} bytes: it exceeds the maximum message size of {maxMessageSize} bytes");
        var frame = new byte[HeaderSize + size];
        WriteHeader(frame, size);
        message.WriteTo(frame.AsSpan(HeaderSize));
        return frame;
    }

    /// <summary>Writes the 5-byte prefix of an uncompressed message of <paramref name="payloadLength"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..HeaderSize], (uint)payloadLength);
    }

    /// <summary>Writes one message as a frame and flushes, so it leaves at once on a long-lived stream.</summary>
    public static async ValueTask WriteMessageAsync(Stream stream, IMessage message, CancellationToken cancellationToken = default,
        int maxMessageSize = GrpcProtocol.DefaultMaxMessageSize)
    {
        var frame = Frame(message, maxMessageSize);
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the payload of the next frame; null when the stream ended cleanly between frames.
    /// Throws <see cref="GrpcCallException"/> on a truncated frame, a compressed frame, or one larger than <paramref name="maxMessageSize"/>.
    /// </summary>
    public static async ValueTask<byte[]?> ReadFrameAsync(Stream stream, int maxMessageSize = GrpcProtocol.DefaultMaxMessageSize,
        CancellationToken cancellationToken = default)
    {
        var header = new byte[HeaderSize];
        var read = await stream.ReadAtLeastAsync(header, HeaderSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
            return null;
        if (read < HeaderSize)
            throw new GrpcCallException(GrpcStatusCode.Internal, $"The stream ended inside a message prefix ({read} of {HeaderSize} bytes)");
        ValidateHeader(header, maxMessageSize, out var length);
        var payload = new byte[length];
        read = await stream.ReadAtLeastAsync(payload, length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < length)
            throw new GrpcCallException(GrpcStatusCode.Internal, $"The stream ended inside a message ({read} of {length} bytes)");
        return payload;
    }

    /// <summary>Reads and parses the next message; null when the stream ended cleanly between frames.</summary>
    public static async ValueTask<T?> ReadMessageAsync<T>(Stream stream, MessageParser<T> parser,
        int maxMessageSize = GrpcProtocol.DefaultMaxMessageSize, CancellationToken cancellationToken = default)
        where T : class, IMessage<T>
    {
        var payload = await ReadFrameAsync(stream, maxMessageSize, cancellationToken).ConfigureAwait(false);
        if (payload is null)
            return null;
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, $"Could not parse a {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    /// <summary>Checks a 5-byte prefix and returns the payload length it announces.</summary>
    public static void ValidateHeader(ReadOnlySpan<byte> header, int maxMessageSize, out int payloadLength)
    {
        switch (header[0])
        {
            case 0:
                break;
            case 1:
                throw new GrpcCallException(GrpcStatusCode.Internal,
                    "Received a compressed gRPC message, but this peer only accepts uncompressed messages (grpc-encoding identity)");
            default:
                throw new GrpcCallException(GrpcStatusCode.Internal, $"Invalid gRPC message flag {header[0]} (expected 0)");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..HeaderSize]);
        if (length > (uint)maxMessageSize)
            throw new GrpcCallException(GrpcStatusCode.ResourceExhausted,
                $"Received a message of {length} bytes, larger than the maximum message size of {maxMessageSize} bytes");
        payloadLength = (int)length;
    }
}
