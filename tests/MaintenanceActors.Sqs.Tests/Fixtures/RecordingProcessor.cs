using System.Collections.Concurrent;
using Amazon.SQS.Model;

namespace MaintenanceActors.Sqs.Tests.Fixtures;

/// <summary>Counts what it processed per body; can hold a message until the spec lets it go, and notices work started while it should not.</summary>
internal sealed class RecordingProcessor : ISqsMessageProcessor
{
    private int _running;
    private int _startedWhileForbidden;

    public ConcurrentDictionary<string, int> Processed { get; } = new();

    public ConcurrentDictionary<string, string> ReceiveCounts { get; } = new();

    /// <summary>Work per message (default none).</summary>
    public Func<Message, CancellationToken, Task> Work { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>When set, a processing start counts as a violation (the spec believes the poller is in maintenance).</summary>
    public volatile bool Forbidden;

    public int Running => Volatile.Read(ref _running);

    public int StartedWhileForbidden => Volatile.Read(ref _startedWhileForbidden);

    public TaskCompletionSource<Message> FirstStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task ProcessAsync(Message message, CancellationToken cancellationToken)
    {
        if (Forbidden)
        {
            Interlocked.Increment(ref _startedWhileForbidden);
        }
        Interlocked.Increment(ref _running);
        try
        {
            FirstStarted.TrySetResult(message);
            ReceiveCounts[message.Body] = message.Attributes?.GetValueOrDefault("ApproximateReceiveCount") ?? "?";
            await Work(message, cancellationToken);
            Processed.AddOrUpdate(message.Body, 1, (_, n) => n + 1);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
