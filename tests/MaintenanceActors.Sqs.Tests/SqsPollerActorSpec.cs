using Akka.Actor;
using Amazon.Runtime;
using Amazon.SQS;
using MaintenanceActors.Sqs.Tests.Fixtures;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Sqs.Tests;

[Collection(FauxqsCollection.Name)]
public sealed class SqsPollerActorSpec : MaintenanceTestKit
{
    private readonly FauxqsEmulator _sqs;
    private readonly ITestOutputHelper _output;

    public SqsPollerActorSpec(FauxqsEmulator emulator, ITestOutputHelper output)
        : base(output)
    {
        _sqs = emulator;
        _output = output;
    }

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private long _epoch;

    [Fact]
    public async Task Must_process_and_delete_every_message_exactly_once_across_maintenance_toggles()
    {
        const int Count = 5000;
        const int Toggles = 20;
        var queue = await _sqs.CreateQueueAsync(TimeSpan.FromSeconds(30));
        var processor = new RecordingProcessor { Work = (_, ct) => Task.Delay(Random.Shared.Next(1, 30), ct) };
        var poller = Start(new SqsPollerOptions { QueueUrl = queue, Pollers = 8, BatchSize = 10, WaitTime = TimeSpan.FromSeconds(1) }, processor);
        await _sqs.SendAsync(queue, Enumerable.Range(0, Count).Select(i => $"m{i}"));
        await ResumeAsync(poller);

        for (var toggle = 1; toggle <= Toggles; toggle++)
        {
            var target = toggle * Count / (Toggles + 2);
            await UntilAsync(() => Task.FromResult(processor.Processed.Count >= target));

            var inFlightAtEnter = processor.Running;
            var drained = await EnterAsync(poller);
            processor.Processed.Count.Should().BeLessThan(Count, "the toggle must come while messages are still flowing");
            _output.WriteLine($"toggle {toggle}: {inFlightAtEnter} processing at Enter, drained in {drained.Duration.TotalMilliseconds:F0} ms");
            drained.Outcome.Should().Be(DrainOutcome.Drained);
            processor.Running.Should().Be(0, "a drained poller has nothing in the processor");
            processor.Forbidden = true;
            var stats = await StatsAsync(poller);
            stats.InFlight.Should().Be(0);
            stats.Processed.Should().Be(processor.Processed.Values.Sum(), "everything processed before Drained is already deleted");

            processor.Forbidden = false;
            await ResumeAsync(poller);
        }

        await UntilAsync(async () => (await StatsAsync(poller)).Processed == Count);
        processor.StartedWhileForbidden.Should().Be(0, "no message is processed while the poller is in maintenance");
        processor.Processed.Should().HaveCount(Count);
        processor.Processed.Values.Should().OnlyContain(n => n == 1, "every message is processed exactly once");
        (await _sqs.CountAsync(queue)).Should().Be((0, 0), "every processed message is deleted and none is stranded");
        var final = await StatsAsync(poller);
        _output.WriteLine($"{Count} messages, {Toggles} toggles: received {final.Received}, released {final.Released}, processed {final.Processed}");
        final.Failed.Should().Be(0);
        final.Received.Should().Be(Count + final.Released, "a message is received once more for every time it was released");
    }

    [Fact]
    public async Task Must_release_what_a_long_poll_waiting_at_Enter_returns_and_process_it_only_after_Exit()
    {
        var queue = await _sqs.CreateQueueAsync(TimeSpan.FromSeconds(30));
        var processor = new RecordingProcessor();
        var poller = Start(new SqsPollerOptions { QueueUrl = queue, Pollers = 1, WaitTime = TimeSpan.FromSeconds(10) }, processor);
        await ResumeAsync(poller);
        await UntilAsync(async () => (await StatsAsync(poller)).ReceivesWaiting == 1);

        (await EnterAsync(poller)).Outcome.Should().Be(DrainOutcome.Drained, "a waiting receive holds no message yet");
        await _sqs.SendAsync(queue, ["during-the-poll"]);

        await UntilAsync(async () => (await StatsAsync(poller)).Released == 1);
        (await _sqs.CountAsync(queue)).Should().Be((1, 0), "a released message is visible again at once");
        processor.Processed.Should().BeEmpty("nothing is processed in maintenance");
        (await StatsAsync(poller)).ReceivesWaiting.Should().Be(0, "no new receive starts in maintenance");

        await ResumeAsync(poller);
        await UntilAsync(async () => (await StatsAsync(poller)).Processed == 1);
        processor.Processed.Should().Equal(new Dictionary<string, int> { ["during-the-poll"] = 1 });
        (await _sqs.CountAsync(queue)).Should().Be((0, 0));
    }

    [Fact]
    public async Task Must_extend_the_visibility_of_a_message_processed_longer_than_its_timeout_instead_of_letting_it_be_redelivered()
    {
        var visibility = TimeSpan.FromSeconds(2);
        var queue = await _sqs.CreateQueueAsync(visibility);
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var processor = new RecordingProcessor { Work = (_, _) => letGo.Task };
        var poller = Start(new SqsPollerOptions
        {
            QueueUrl = queue,
            Pollers = 2, // the second poller would receive the message again if its visibility ran out
            WaitTime = TimeSpan.FromSeconds(1),
            VisibilityTimeout = visibility,
            HeartbeatInterval = TimeSpan.FromSeconds(1),
        }, processor);
        await _sqs.SendAsync(queue, ["slow"]);
        await ResumeAsync(poller);
        await processor.FirstStarted.Task.WaitAsync(Wait);

        // Three extensions of a 2 s timeout at 1 s intervals: the message has been held well past its first timeout.
        await UntilAsync(async () => (await StatsAsync(poller)).VisibilityExtensions >= 3);
        (await _sqs.CountAsync(queue)).Should().Be((0, 1), "the message is still invisible");
        (await StatsAsync(poller)).Received.Should().Be(1, "the message was not redelivered");

        letGo.SetResult();
        await UntilAsync(async () => (await StatsAsync(poller)).Processed == 1);
        processor.Processed.Should().Equal(new Dictionary<string, int> { ["slow"] = 1 });
        processor.ReceiveCounts["slow"].Should().Be("1");
        (await _sqs.CountAsync(queue)).Should().Be((0, 0));
    }

    [Fact]
    public async Task Must_report_an_unknown_queue_as_unhealthy_with_a_clear_error_and_still_drain()
    {
        var missing = $"{_sqs.Url}/000000000000/no-such-queue";
        var processor = new RecordingProcessor();
        var poller = Start(new SqsPollerOptions { QueueUrl = missing, WaitTime = TimeSpan.FromSeconds(1), ReceiveErrorBackoff = TimeSpan.FromMilliseconds(200) }, processor);
        await ResumeAsync(poller);

        await UntilAsync(async () => (await StatsAsync(poller)).ReceiveErrors >= 2);
        var health = await poller.Ask<ResourceHealth>(GetHealth.Instance, Wait);
        health.Status.Should().Be(ComponentHealth.Unhealthy);
        health.Detail.Should().Be($"queue {missing} does not exist: create it or fix QueueUrl");
        (await StatsAsync(poller)).LastErrors.Should().NotBeEmpty();

        (await EnterAsync(poller)).Outcome.Should().Be(DrainOutcome.Drained);
    }

    [Fact]
    public async Task Must_report_an_unreachable_endpoint_as_unhealthy_lose_nothing_and_recover_when_it_is_back()
    {
        var queue = await _sqs.CreateQueueAsync(TimeSpan.FromSeconds(30));
        await using var proxy = new TcpProxy(new Uri(_sqs.Url).Port);
        using var client = _sqs.CreateClient(proxy.Endpoint);
        var processor = new RecordingProcessor();
        // A receive cut mid-wait may strand the message it was handed; a short visibility bounds how long.
        var poller = Start(new SqsPollerOptions
        {
            QueueUrl = queue,
            Pollers = 2,
            WaitTime = TimeSpan.FromSeconds(1),
            VisibilityTimeout = TimeSpan.FromSeconds(2),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            ReceiveErrorBackoff = TimeSpan.FromMilliseconds(100),
        }, processor, client);
        await ResumeAsync(poller);
        await _sqs.SendAsync(queue, ["before-1", "before-2"]);
        await UntilAsync(async () => (await StatsAsync(poller)).Processed == 2);

        proxy.Cut();
        await UntilAsync(async () => (await StatsAsync(poller)).ReceiveErrors >= 2);
        await _sqs.SendAsync(queue, ["while-away-1", "while-away-2"]);
        var health = await poller.Ask<ResourceHealth>(GetHealth.Instance, Wait);
        health.Status.Should().Be(ComponentHealth.Unhealthy);
        health.Detail.Should().StartWith($"cannot reach SQS for {queue}: ");

        proxy.Restore();
        await UntilAsync(async () => (await StatsAsync(poller)).Processed == 4);
        await UntilAsync(async () => (await poller.Ask<ResourceHealth>(GetHealth.Instance, Wait)).Status == ComponentHealth.Healthy);
        processor.Processed.Keys.Should().BeEquivalentTo(["before-1", "before-2", "while-away-1", "while-away-2"]);
        processor.Processed.Values.Should().OnlyContain(n => n == 1);
        (await _sqs.CountAsync(queue)).Should().Be((0, 0));
    }

    [Fact]
    public async Task Must_report_a_stopped_emulator_as_unhealthy_and_process_what_it_kept_exactly_once_when_it_is_back()
    {
        // An emulator of this spec's own, keeping its queues on disk, so it can be stopped and started again with them.
        using var data = new TempDirectory("ma-fauxqs");
        var port = FreePort.Get();
        var emulator = await FauxqsServer.StartAsync(FauxqsEmulator.Directory, port, data.Path);
        using var client = _sqs.CreateClient(emulator.Url);
        var queue = (await client.CreateQueueAsync($"outage-{Guid.NewGuid():N}")).QueueUrl;
        var processor = new RecordingProcessor();
        var poller = Start(new SqsPollerOptions { QueueUrl = queue, Pollers = 2, WaitTime = TimeSpan.FromSeconds(1), ReceiveErrorBackoff = TimeSpan.FromMilliseconds(100) },
            processor, client);
        try
        {
            await ResumeAsync(poller);
            await client.SendMessageAsync(queue, "before");
            await UntilAsync(async () => (await StatsAsync(poller)).Processed == 1);

            // Messages wait in the queue while the poller is in maintenance (its last receive has returned, so none is handed
            // out and then caught by the stop between receive and release); then the emulator goes away.
            await EnterAsync(poller);
            await UntilAsync(async () => (await StatsAsync(poller)).ReceivesWaiting == 0);
            await client.SendMessageAsync(queue, "kept-1");
            await client.SendMessageAsync(queue, "kept-2");
            await emulator.DisposeAsync();
            await ResumeAsync(poller);
            var errors = (await StatsAsync(poller)).ReceiveErrors;
            await UntilAsync(async () => (await StatsAsync(poller)).ReceiveErrors >= errors + 2);
            var health = await poller.Ask<ResourceHealth>(GetHealth.Instance, Wait);
            health.Status.Should().Be(ComponentHealth.Unhealthy);
            health.Detail.Should().StartWith($"cannot reach SQS for {queue}: ");

            emulator = await FauxqsServer.StartAsync(FauxqsEmulator.Directory, port, data.Path);
            await UntilAsync(async () => (await StatsAsync(poller)).Processed == 3);
            await UntilAsync(async () => (await poller.Ask<ResourceHealth>(GetHealth.Instance, Wait)).Status == ComponentHealth.Healthy);
            processor.Processed.Keys.Should().BeEquivalentTo(["before", "kept-1", "kept-2"]);
            processor.Processed.Values.Should().OnlyContain(n => n == 1);
            var left = await client.GetQueueAttributesAsync(queue, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
            (left.ApproximateNumberOfMessages, left.ApproximateNumberOfMessagesNotVisible).Should().Be((0, 0));
        }
        finally
        {
            Sys.Stop(poller);
            await emulator.DisposeAsync();
        }
    }

    [Fact]
    public async Task Must_leave_a_failed_message_for_redelivery_and_not_delete_it()
    {
        var queue = await _sqs.CreateQueueAsync(TimeSpan.FromSeconds(30));
        var processor = new RecordingProcessor { Work = (_, _) => throw new InvalidOperationException("cannot handle this one") };
        var poller = Start(new SqsPollerOptions { QueueUrl = queue, WaitTime = TimeSpan.FromSeconds(1) }, processor);
        await _sqs.SendAsync(queue, ["poison"]);
        await ResumeAsync(poller);

        await UntilAsync(async () => (await StatsAsync(poller)).Failed == 1);
        var stats = await StatsAsync(poller);
        stats.Processed.Should().Be(0);
        stats.LastErrors.Should().Contain(e => e.Operation == "process" && e.Message == "cannot handle this one");
        (await _sqs.CountAsync(queue)).Should().Be((0, 1), "a failed message is neither deleted nor released: SQS redelivers it when its visibility ends");
    }

    [Fact]
    public async Task Must_make_a_failed_message_visible_after_the_configured_backoff_and_process_it_again()
    {
        var queue = await _sqs.CreateQueueAsync(TimeSpan.FromSeconds(30));
        var attempts = 0;
        var processor = new RecordingProcessor
        {
            Work = (_, _) => Interlocked.Increment(ref attempts) == 1 ? throw new InvalidOperationException("first attempt fails") : Task.CompletedTask,
        };
        var poller = Start(new SqsPollerOptions { QueueUrl = queue, WaitTime = TimeSpan.FromSeconds(1), FailureBackoff = TimeSpan.Zero }, processor);
        await _sqs.SendAsync(queue, ["retried"]);
        await ResumeAsync(poller);

        await UntilAsync(async () => (await StatsAsync(poller)).Processed == 1);
        var stats = await StatsAsync(poller);
        (stats.Failed, stats.Received).Should().Be((1, 2), "received, failed and made visible at once, received again and processed");
        processor.ReceiveCounts["retried"].Should().Be("2");
        (await _sqs.CountAsync(queue)).Should().Be((0, 0));
    }

    [Fact]
    public async Task Must_report_refused_credentials_as_unhealthy_with_a_clear_error_lose_nothing_and_recover_once_they_are_right()
    {
        // fauxqs accepts any credentials; the fixture's emulator refuses other access keys as SQS does (403 InvalidClientTokenId).
        var queue = await _sqs.CreateQueueAsync(TimeSpan.FromSeconds(30));
        var credentials = new SwitchableCredentials("wrong-key");
        using var client = _sqs.CreateClient(_sqs.Url, credentials);
        var processor = new RecordingProcessor();
        var poller = Start(new SqsPollerOptions { QueueUrl = queue, Pollers = 2, WaitTime = TimeSpan.FromSeconds(1), ReceiveErrorBackoff = TimeSpan.FromMilliseconds(100) },
            processor, client);
        await _sqs.SendAsync(queue, ["kept-1", "kept-2"]);
        await ResumeAsync(poller);

        await UntilAsync(async () => (await StatsAsync(poller)).ReceiveErrors >= 2);
        var health = await poller.Ask<ResourceHealth>(GetHealth.Instance, Wait);
        health.Status.Should().Be(ComponentHealth.Unhealthy);
        health.Detail.Should().StartWith($"SQS rejected the credentials for {queue}: InvalidClientTokenId The security token included in the request is invalid.");
        (await StatsAsync(poller)).LastErrors.Should().Contain(e => e.Operation == "receive" && e.Message.Contains("security token"));
        (await _sqs.CountAsync(queue)).Should().Be((2, 0), "a refused receive takes no message");
        processor.Processed.Should().BeEmpty();
        (await EnterAsync(poller)).Outcome.Should().Be(DrainOutcome.Drained, "a poller whose receives fail holds nothing");

        credentials.AccessKey = FauxqsServer.RequiredAccessKeyId; // e.g. a rotated key the SDK's chain now finds
        await ResumeAsync(poller);
        await UntilAsync(async () => (await StatsAsync(poller)).Processed == 2);
        await UntilAsync(async () => (await poller.Ask<ResourceHealth>(GetHealth.Instance, Wait)).Status == ComponentHealth.Healthy);
        processor.Processed.Keys.Should().BeEquivalentTo(["kept-1", "kept-2"]);
        processor.Processed.Values.Should().OnlyContain(n => n == 1);
        (await _sqs.CountAsync(queue)).Should().Be((0, 0));
    }

    [Fact]
    public async Task Must_answer_TimedOut_with_the_count_and_still_finish_and_delete_without_cancelling_the_processor()
    {
        var queue = await _sqs.CreateQueueAsync(TimeSpan.FromSeconds(30));
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var token = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var processor = new RecordingProcessor { Work = (_, ct) => { token.TrySetResult(ct); return letGo.Task; } };
        var poller = Start(new SqsPollerOptions { QueueUrl = queue, WaitTime = TimeSpan.FromSeconds(1) }, processor);
        await _sqs.SendAsync(queue, ["long"]);
        await ResumeAsync(poller);
        var seen = await token.Task.WaitAsync(Wait);

        var drain = await poller.Ask<DrainCompleted>(new EnterMaintenance(++_epoch, DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300)), Wait);
        drain.Outcome.Should().Be(DrainOutcome.TimedOut);
        drain.InFlightAtDeadline.Should().Be(1);
        seen.CanBeCanceled.Should().BeTrue("it is the poller's shutdown token");
        seen.IsCancellationRequested.Should().BeFalse("maintenance never cancels the processor's token");

        letGo.SetResult();
        await UntilAsync(async () => (await StatsAsync(poller)).Processed == 1);
        (await _sqs.CountAsync(queue)).Should().Be((0, 0), "the message that outlived the deadline is still deleted");
        (await StatsAsync(poller)).InFlight.Should().Be(0);
    }

    [Fact]
    public async Task Must_cancel_the_processors_token_when_the_poller_stops()
    {
        var queue = await _sqs.CreateQueueAsync(TimeSpan.FromSeconds(30));
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var processor = new RecordingProcessor
        {
            Work = async (_, ct) =>
            {
                await using var registration = ct.Register(() => cancelled.TrySetResult());
                await Task.Delay(Timeout.Infinite, ct);
            },
        };
        var poller = Start(new SqsPollerOptions { QueueUrl = queue, WaitTime = TimeSpan.FromSeconds(1) }, processor);
        await _sqs.SendAsync(queue, ["stopped"]);
        await ResumeAsync(poller);
        await processor.FirstStarted.Task.WaitAsync(Wait);

        Sys.Stop(poller);
        await cancelled.Task.WaitAsync(Wait);
    }

    [Fact]
    public async Task Must_report_a_reachable_queue_as_healthy()
    {
        var queue = await _sqs.CreateQueueAsync(TimeSpan.FromSeconds(30));
        var poller = Start(new SqsPollerOptions { QueueUrl = queue, WaitTime = TimeSpan.FromSeconds(1) }, new RecordingProcessor());
        await ResumeAsync(poller);
        await UntilAsync(async () => (await StatsAsync(poller)).ProbedAt is not null);
        (await poller.Ask<ResourceHealth>(GetHealth.Instance, Wait)).Status.Should().Be(ComponentHealth.Healthy);
    }

    /// <summary>Credentials whose access key a spec changes, as a credential provider hands out a rotated key.</summary>
    private sealed class SwitchableCredentials(string accessKey) : AWSCredentials
    {
        public volatile string AccessKey = accessKey;

        public override ImmutableCredentials GetCredentials() => new(AccessKey, "secret", null);
    }

    // TestKit's AwaitConditionAsync checks every tenth of its deadline by default: far too seldom for these specs.
    private Task UntilAsync(Func<Task<bool>> condition) => AwaitConditionAsync(condition, Wait, TimeSpan.FromMilliseconds(10));

    private IActorRef Start(SqsPollerOptions options, ISqsMessageProcessor processor, IAmazonSQS? client = null)
    {
        var sqs = client ?? _sqs.Client;
        return Sys.ActorOf(Props.Create(() => new SqsPollerActor(options, sqs, processor, null)), "sqs");
    }

    private async Task ResumeAsync(IActorRef poller)
    {
        var resumed = await poller.Ask<ResumeCompleted>(new ExitMaintenance(++_epoch), Wait);
        resumed.Outcome.Should().Be(ResumeOutcome.Resumed);
    }

    private Task<DrainCompleted> EnterAsync(IActorRef poller) =>
        poller.Ask<DrainCompleted>(new EnterMaintenance(++_epoch, DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20)), Wait);

    private Task<SqsPollerStatsSnapshot> StatsAsync(IActorRef poller) => poller.Ask<SqsPollerStatsSnapshot>(GetSqsPollerStats.Instance, Wait);
}
