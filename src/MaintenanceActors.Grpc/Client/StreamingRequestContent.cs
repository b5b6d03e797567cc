using System.Net;
using System.Threading.Channels;

namespace MaintenanceActors.Grpc;

/// <summary>A request body that stays open and sends each queued frame as soon as it is written (client streaming).</summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private readonly ChannelReader<byte[]> frames;

    public StreamingRequestContent(ChannelReader<byte[]> frames)
    {
        this.frames = frames;
        Headers.ContentType = new(GrpcProtocol.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        while (await frames.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (frames.TryRead(out var frame))
                await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
