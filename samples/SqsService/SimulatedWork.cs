using Amazon.SQS.Model;
using MaintenanceActors.Sqs;

namespace SqsService;

/// <summary>The sample's processing: a random pause between WORK_MIN_MS and WORK_MAX_MS, like the reference example.</summary>
internal sealed class SimulatedWork(WorkRange range, ILogger<SimulatedWork> log) : ISqsMessageProcessor
{
    public async Task ProcessAsync(Message message, CancellationToken cancellationToken)
    {
        var work = TimeSpan.FromMilliseconds(Random.Shared.Next(range.MinMs, range.MaxMs + 1));
        await Task.Delay(work, cancellationToken);
        log.LogInformation("Processed message {MessageId} in {WorkMs} ms", message.MessageId, work.TotalMilliseconds);
    }
}

internal sealed record WorkRange(int MinMs, int MaxMs);
