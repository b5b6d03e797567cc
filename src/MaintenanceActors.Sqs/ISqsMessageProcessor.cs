using Amazon.SQS.Model;

namespace MaintenanceActors.Sqs;

/// <summary>The application's handling of one SQS message; the poller deletes the message when this completes.</summary>
public interface ISqsMessageProcessor
{
    /// <summary>
    /// Processes <paramref name="message"/>. Completing deletes it; throwing leaves it for redelivery (or applies
    /// <see cref="SqsPollerOptions.FailureBackoff"/>). <paramref name="cancellationToken"/> is cancelled only when the poller
    /// shuts down, never by maintenance: a message that got in finishes.
    /// </summary>
    Task ProcessAsync(Message message, CancellationToken cancellationToken);
}
