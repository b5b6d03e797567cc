using System.Collections.Concurrent;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Sqs;

/// <summary>What one poller's receive-process-settle round ended with, told back to the actor.</summary>
internal sealed record PollCycleEnded(int Poller, int Received, int Released, Exception? ReceiveError);

/// <summary>
/// One round of one poller, run off the actor: receive a batch (a long poll, never cancelled: a cancelled poll strands
/// the message the queue hands to it), then either release it at once (intake closed) or process it with a visibility
/// heartbeat and settle it (delete successes, back off failures). Everything that touches a message happens here, so a
/// message is settled even when the actor is gone by the time the receive returns.
/// </summary>
internal sealed class SqsPollCycle(
    IAmazonSQS sqs,
    ISqsMessageProcessor processor,
    SqsPollerOptions options,
    SqsIntake intake,
    SqsPollerStats stats,
    ILogger log,
    TimeProvider time,
    CancellationToken shutdown)
{
    private static readonly List<string> ReceiveCountAttribute = ["ApproximateReceiveCount"];

    public async Task<PollCycleEnded> RunAsync(int poller)
    {
        List<Message>? messages;
        stats.ReceiveStarted();
        try
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = options.QueueUrl,
                MaxNumberOfMessages = options.BatchSize,
                WaitTimeSeconds = (int)options.WaitTime.TotalSeconds,
                VisibilityTimeout = (int)options.VisibilityTimeout.TotalSeconds,
                MessageSystemAttributeNames = ReceiveCountAttribute,
            }, CancellationToken.None).ConfigureAwait(false);
            messages = response.Messages; // null on an empty receive in SDK v4
        }
        catch (Exception ex)
        {
            stats.AddReceiveError();
            stats.RecordError("receive", ex);
            return new PollCycleEnded(poller, 0, 0, ex);
        }
        finally
        {
            stats.ReceiveEnded();
        }
        if (messages is null || messages.Count == 0)
        {
            return new PollCycleEnded(poller, 0, 0, null);
        }

        stats.AddReceived(messages.Count);
        if (!intake.TryEnter(messages.Count))
        {
            var released = await ChangeVisibilityAsync(messages, TimeSpan.Zero, "release").ConfigureAwait(false);
            stats.AddReleased(released);
            log.LogInformation("SQS poller {Poller} released {Released} of {Received} messages received after intake stopped", poller, released, messages.Count);
            return new PollCycleEnded(poller, messages.Count, released, null);
        }
        try
        {
            await ProcessBatchAsync(messages).ConfigureAwait(false);
        }
        finally
        {
            intake.Exit(messages.Count);
        }
        return new PollCycleEnded(poller, messages.Count, 0, null);
    }

    private async Task ProcessBatchAsync(List<Message> messages)
    {
        // Until the batch is settled, everything not failed is kept invisible: processed messages wait for the batched delete.
        var held = new ConcurrentDictionary<string, Message>(messages.Select(m => KeyValuePair.Create(m.MessageId, m)));
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(held, stopHeartbeat.Token);
        var outcomes = await Task.WhenAll(messages.Select(m => ProcessOneAsync(m, held))).ConfigureAwait(false);
        await stopHeartbeat.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);

        var succeeded = messages.Where((_, i) => outcomes[i]).ToList();
        var failed = messages.Where((_, i) => !outcomes[i]).ToList();
        if (succeeded.Count > 0)
        {
            stats.AddProcessed(await DeleteAsync(succeeded).ConfigureAwait(false));
        }
        if (failed.Count > 0)
        {
            stats.AddFailed(failed.Count);
            if (options.FailureBackoff is { } backoff)
            {
                await ChangeVisibilityAsync(failed, backoff, "failure backoff").ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> ProcessOneAsync(Message message, ConcurrentDictionary<string, Message> held)
    {
        try
        {
            await processor.ProcessAsync(message, shutdown).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex)
        {
            held.TryRemove(message.MessageId, out _);
            stats.RecordError("process", ex);
            log.LogWarning(ex, "SQS message {MessageId} failed in the processor; it is left for redelivery", message.MessageId);
            return false;
        }
    }

    private async Task HeartbeatAsync(ConcurrentDictionary<string, Message> held, CancellationToken stop)
    {
        while (true)
        {
            try
            {
                await Task.Delay(options.HeartbeatInterval, time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var extended = await ChangeVisibilityAsync(held.Values.ToList(), options.VisibilityTimeout, "visibility extension").ConfigureAwait(false);
            stats.AddExtensions(extended);
        }
    }

    private async Task<int> DeleteAsync(List<Message> messages)
    {
        try
        {
            var response = await sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
            {
                QueueUrl = options.QueueUrl,
                Entries = messages.Select((m, i) => new DeleteMessageBatchRequestEntry(i.ToString(), m.ReceiptHandle)).ToList(),
            }, CancellationToken.None).ConfigureAwait(false);
            LogBatchFailures("delete", response.Failed?.Select(f => (f.Id, f.Code, f.Message)));
            return response.Successful?.Count ?? 0;
        }
        catch (Exception ex)
        {
            stats.RecordError("delete", ex);
            log.LogError(ex, "Deleting {Count} processed SQS messages failed; they will be redelivered", messages.Count);
            return 0;
        }
    }

    private async Task<int> ChangeVisibilityAsync(List<Message> messages, TimeSpan visibility, string operation)
    {
        if (messages.Count == 0)
        {
            return 0;
        }
        try
        {
            var response = await sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
            {
                QueueUrl = options.QueueUrl,
                Entries = messages.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry(i.ToString(), m.ReceiptHandle)
                {
                    VisibilityTimeout = (int)visibility.TotalSeconds,
                }).ToList(),
            }, CancellationToken.None).ConfigureAwait(false);
            LogBatchFailures(operation, response.Failed?.Select(f => (f.Id, f.Code, f.Message)));
            return response.Successful?.Count ?? 0;
        }
        catch (Exception ex)
        {
            stats.RecordError(operation, ex);
            log.LogError(ex, "SQS {Operation} of {Count} messages failed", operation, messages.Count);
            return 0;
        }
    }

    private void LogBatchFailures(string operation, IEnumerable<(string Id, string Code, string Message)>? failures)
    {
        foreach (var (id, code, message) in failures ?? [])
        {
            stats.RecordError(operation, new AmazonSQSException($"{code}: {message}"));
            log.LogError("SQS {Operation} failed for batch entry {Entry}: {Code} {Message}", operation, id, code, message);
        }
    }
}
