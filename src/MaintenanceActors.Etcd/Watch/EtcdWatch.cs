using System.Threading.Channels;

namespace MaintenanceActors.Etcd;

/// <summary>
/// One watch on a shared watch stream. Read its responses from <see cref="Responses"/> (or <see cref="ReadAllAsync"/>);
/// the reader ends normally after <see cref="CancelAsync"/>, with <see cref="EtcdCompactedException"/> when the start revision was
/// compacted, and with <see cref="EtcdConnectionException"/> when the stream's connection is lost. The client does not resume a lost watch:
/// create a new one from the last seen revision + 1.
/// </summary>
public sealed class EtcdWatch : IAsyncDisposable
{
    private readonly Channel<EtcdWatchResponse> channel = Channel.CreateUnbounded<EtcdWatchResponse>(new() { SingleWriter = true });
    private readonly TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WatchStream stream;

    internal EtcdWatch(WatchStream stream, long watchId, long startRevision)
    {
        this.stream = stream;
        WatchId = watchId;
        StartRevision = startRevision;
    }

    /// <summary>The watch's id on its stream.</summary>
    public long WatchId { get; }

    /// <summary>The start revision that was asked for (0: from the creation on).</summary>
    public long StartRevision { get; }

    /// <summary>The store revision when etcd created the watch; without a start revision, events follow from the next revision.</summary>
    public long CreatedRevision { get; internal set; }

    /// <summary>The endpoint serving the watch stream.</summary>
    public Uri Endpoint => stream.Endpoint;

    /// <summary>Responses in order; completes when the watch ends (faulted on compaction or connection loss).</summary>
    public ChannelReader<EtcdWatchResponse> Responses => channel.Reader;

    /// <summary>Enumerates <see cref="Responses"/>; throws the exception that ended the watch, if any.</summary>
    public IAsyncEnumerable<EtcdWatchResponse> ReadAllAsync(CancellationToken cancellationToken = default) =>
        channel.Reader.ReadAllAsync(cancellationToken);

    internal bool CancelRequested { get; private set; }

    /// <summary>Known to have caught up with history (read loop only).</summary>
    internal bool Synced { get; set; }

    /// <summary>Highest revision of an event delivered so far (read loop only).</summary>
    internal long LastEventRevision { get; set; }

    /// <summary>Asks etcd to cancel the watch and waits until it confirms (or the stream is gone).</summary>
    public async Task CancelAsync(CancellationToken cancellationToken = default)
    {
        if (!CancelRequested)
        {
            CancelRequested = true;
            stream.Cancel(this);
        }
        await ended.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    internal void Deliver(EtcdWatchResponse response) => channel.Writer.TryWrite(response);

    internal void Complete(Exception? error)
    {
        channel.Writer.TryComplete(error);
        ended.TrySetResult();
    }

    /// <summary>Cancels the watch without waiting for etcd's confirmation.</summary>
    public ValueTask DisposeAsync()
    {
        if (!CancelRequested)
        {
            CancelRequested = true;
            stream.Cancel(this);
        }
        return ValueTask.CompletedTask;
    }
}
