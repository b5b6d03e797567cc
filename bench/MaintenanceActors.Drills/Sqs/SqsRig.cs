using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Sqs;
using MaintenanceActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Drills.Sqs;

/// <summary>
/// What the SQS drills share: the fauxqs emulator (installed by scripts/install-deps.sh) on 127.0.0.1, a client for it,
/// fresh queues, fast batched sends, and a host running <c>AddSqsPoller</c> as an application does, toggled through
/// <see cref="IMaintenance"/> and read through <see cref="SqsPollerMonitor"/>.
/// </summary>
internal sealed class SqsRig : IAsyncDisposable
{
    private readonly FauxqsServer _emulator;
    private int _queues;

    private SqsRig(FauxqsServer emulator)
    {
        _emulator = emulator;
        Client = new AmazonSQSClient(new BasicAWSCredentials(FauxqsServer.RequiredAccessKeyId, "test"),
            new AmazonSQSConfig { ServiceURL = emulator.Url, AuthenticationRegion = "us-east-1" });
    }

    public IAmazonSQS Client { get; }

    public static async Task<SqsRig> StartAsync() => new(await FauxqsServer.StartAsync().ConfigureAwait(false));

    public async Task<string> CreateQueueAsync(string prefix, int visibilitySeconds = 30)
    {
        var response = await Client.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = $"{prefix}-{Interlocked.Increment(ref _queues)}-{Guid.NewGuid():N}",
            Attributes = new() { ["VisibilityTimeout"] = visibilitySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        }).ConfigureAwait(false);
        return response.QueueUrl;
    }

    /// <summary>Sends <paramref name="bodies"/> in batches of 10 from 8 parallel senders.</summary>
    public async Task SendAsync(string queueUrl, IReadOnlyList<string> bodies)
    {
        var batches = new ConcurrentQueue<string[]>(bodies.Chunk(10));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (batches.TryDequeue(out var batch))
            {
                var response = await Client.SendMessageBatchAsync(queueUrl,
                    batch.Select((body, i) => new SendMessageBatchRequestEntry(i.ToString(System.Globalization.CultureInfo.InvariantCulture), body)).ToList())
                    .ConfigureAwait(false);
                if (response.Failed is { Count: > 0 } failed)
                {
                    throw new InvalidOperationException($"The emulator refused {failed.Count} sends: {failed[0].Message}");
                }
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Visible and not-visible (received, not deleted) messages.</summary>
    public async Task<(int Visible, int NotVisible)> CountAsync(string queueUrl)
    {
        var attributes = await Client.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = queueUrl,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }).ConfigureAwait(false);
        return (attributes.ApproximateNumberOfMessages, attributes.ApproximateNumberOfMessagesNotVisible);
    }

    /// <summary>A started host polling <paramref name="queueUrl"/> with <paramref name="processor"/>; no maintenance source but the drill.</summary>
    public async Task<PollerHost> StartPollerAsync(string queueUrl, ISqsMessageProcessor processor, Action<SqsPollerOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(Client);
        builder.Services.AddSingleton(new ProcessorAdapter(processor));
        builder.Services.AddMaintenance(m => m.AddSqsPoller<ProcessorAdapter>(o =>
        {
            o.QueueUrl = queueUrl;
            configure(o);
        }));
        var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        return new PollerHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _emulator.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Registered as the poller's processor type; hands each message to the drill's processor.</summary>
    private sealed class ProcessorAdapter(ISqsMessageProcessor inner) : ISqsMessageProcessor
    {
        public Task ProcessAsync(Message message, CancellationToken cancellationToken) => inner.ProcessAsync(message, cancellationToken);
    }
}

/// <summary>A host running one SQS poller, with the maintenance switch and the poller's stats.</summary>
internal sealed class PollerHost(IHost host) : IAsyncDisposable
{
    private static readonly TimeSpan TransitionTimeout = TimeSpan.FromSeconds(60);

    public IMaintenance Maintenance { get; } = host.Services.GetRequiredService<IMaintenance>();

    public SqsPollerStatsSnapshot Stats => host.Services.GetRequiredService<SqsPollerMonitor>().Get()!;

    /// <summary>Sets the mode and returns once the poller has applied it (for Enter: drained).</summary>
    public async Task SetAsync(bool maintenance)
    {
        await Maintenance.SetMaintenanceModeAsync(maintenance, maintenance ? "drill" : null).ConfigureAwait(false);
        if (!await Maintenance.WaitForMaintenanceModeAsync(maintenance, TransitionTimeout).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"The poller did not apply maintenance={maintenance} within {TransitionTimeout}");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds on the poller's stats; throws after <paramref name="timeout"/>.</summary>
    public async Task UntilAsync(Func<SqsPollerStatsSnapshot, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Stats))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {timeout}: {Stats}");
            }
            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync().ConfigureAwait(false);
        host.Dispose();
    }
}
