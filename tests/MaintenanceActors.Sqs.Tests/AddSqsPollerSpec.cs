using Amazon.SQS;
using Amazon.SQS.Model;
using MaintenanceActors.Sqs.Tests.Fixtures;
using MaintenanceActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MaintenanceActors.Sqs.Tests;

[Collection(FauxqsCollection.Name)]
public sealed class AddSqsPollerSpec(FauxqsEmulator sqs)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Must_poll_with_the_registered_client_and_processor_once_the_host_runs_and_drain_on_stop()
    {
        var queue = await sqs.CreateQueueAsync(TimeSpan.FromSeconds(30));
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Services.AddSingleton(sqs.Client);
        builder.Services.AddSingleton<SignallingProcessor>();
        builder.Services.AddMaintenance(m => m.AddSqsPoller<SignallingProcessor>(o =>
        {
            o.QueueUrl = queue;
            o.WaitTime = TimeSpan.FromSeconds(1);
        }));
        using var host = builder.Build();
        await host.StartAsync();
        var processor = host.Services.GetRequiredService<SignallingProcessor>();

        await sqs.SendAsync(queue, ["hosted"]);
        (await processor.Processed.Task.WaitAsync(Wait)).Body.Should().Be("hosted");

        var health = await host.Services.GetRequiredService<IMaintenance>().GetHealthAsync();
        health.Resources["sqs"].Status.Should().Be(ComponentHealth.Healthy);
        var monitor = host.Services.GetRequiredService<SqsPollerMonitor>();
        (await Eventually.HoldsAsync(() => monitor.Get()!.Processed == 1, Wait)).Should().BeTrue("the message is processed");
        monitor.Get()!.Received.Should().Be(1);
        await host.StopAsync();
        (await sqs.CountAsync(queue)).Should().Be((0, 0), "the processed message was deleted");
    }

    private sealed class SignallingProcessor : ISqsMessageProcessor
    {
        public TaskCompletionSource<Message> Processed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task ProcessAsync(Message message, CancellationToken cancellationToken)
        {
            Processed.TrySetResult(message);
            return Task.CompletedTask;
        }
    }
}
