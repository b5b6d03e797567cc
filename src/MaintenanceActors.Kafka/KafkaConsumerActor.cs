using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Kafka;

/// <summary>
/// Drains a Kafka consumer without leaving its group: the consumer runs on a thread of its own
/// (<see cref="KafkaConsumerLoop"/>) and hands records to the processor through per-partition lanes
/// (<see cref="RecordDispatcher"/>). Enter closes intake (no record starts), pauses every assigned partition and keeps
/// polling, so heartbeats and max.poll.interval.ms stay satisfied; the drain waits for records in the processor, commits
/// synchronously and reports Drained (or TimedOut with the count, still paused). Rebalances while paused keep every owned
/// partition paused. Exit resumes exactly the current assignment. With <see cref="KafkaConsumerOptions.LeaveGroupOnMaintenance"/>
/// the drain also closes the consumer and Exit joins again. The consumer starts paused and runs when the supervisor first
/// says it may.
/// </summary>
internal sealed class KafkaConsumerActor : DrainableResourceActor
{
    private static readonly TimeSpan CommitRetry = TimeSpan.FromMilliseconds(50);

    private readonly KafkaConsumerOptions _options;
    private readonly IKafkaRecordProcessor _processor;
    private readonly KafkaConsumerState _state;
    private readonly CancellationTokenSource _shutdown = new();
    private RecordDispatcher _dispatcher = null!;
    private KafkaConsumerLoop? _loop;

    /// <summary>Built by the hosting extension: the processor comes from the service provider.</summary>
    [ActivatorUtilitiesConstructor]
    public KafkaConsumerActor(KafkaConsumerOptions options, KafkaConsumerBinding binding, IServiceProvider services)
        : this(options, binding.Processor(services), binding.State)
    {
    }

    public KafkaConsumerActor(KafkaConsumerOptions options, IKafkaRecordProcessor processor, KafkaConsumerState? state = null)
    {
        options.Validate();
        _options = options;
        _processor = processor;
        _state = state ?? new KafkaConsumerState(TimeProvider.System);
    }

    protected override long InFlight => _dispatcher?.InFlight ?? 0;

    protected override IReadOnlyDictionary<string, long> Counters => _state.ToCounters(InFlight);

    protected override void StopIntake()
    {
        _dispatcher.Close();
        _loop?.SetPaused(true);
    }

    protected override async Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        await _dispatcher.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
        var loop = _loop;
        if (loop is null)
        {
            return;
        }
        if (_options.LeaveGroupOnMaintenance)
        {
            // Close commits what finished and leaves the group.
            await loop.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        // The broker refuses commits while the group rebalances: try again until it takes them or the deadline passes.
        while (true)
        {
            try
            {
                await loop.CommitAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Confluent.Kafka.KafkaException)
            {
                await Task.Delay(CommitRetry, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    protected override void ResumeIntake()
    {
        if (_loop is null || _loop.StopRequested)
        {
            StartLoop(paused: false);
        }
        _dispatcher.Open();
        _loop!.SetPaused(false);
    }

    protected override ResourceHealth CheckHealth() => _state.Problem is { } problem
        ? new ResourceHealth(ResourceName, ComponentHealth.Unhealthy, problem)
        : base.CheckHealth();

    protected override void ReceiveResourceMessages()
    {
        Receive<GetKafkaConsumerStats>(_ => Sender.Tell(_state.Snapshot(ResourceName), Self));
        Receive<ConsumerHealthChanged>(_ => ReportHealth());
        Receive<ConsumerLoopFailed>(failed =>
        {
            // Restarting is how the resource gets back to a known state: the new consumer joins at the committed offsets.
            throw new KafkaConsumerFailedException(ResourceName, failed.Error);
        }, failed => failed.Loop == _loop);
        Receive<ConsumerLoopFailed>(_ => { });
        Receive<CrashConsumerThread>(crash => _loop?.Crash(crash.Error));
    }

    protected override void PreStart()
    {
        _dispatcher = new RecordDispatcher(_processor, _options.MaxConcurrency, _options.MaxBufferedPerPartition, _state, Log, _shutdown.Token);
        _state.Dispatcher = _dispatcher;
        // Joins paused: nothing is processed before the supervisor says the resource may run. With LeaveGroupOnMaintenance
        // the consumer joins only then, so a consumer (re)started during maintenance does not take partitions.
        if (!_options.LeaveGroupOnMaintenance)
        {
            StartLoop(paused: true);
        }
        base.PreStart();
    }

    protected override void PostStop()
    {
        // Shutdown: the processor's token is cancelled (records cut short are not committed) and the consumer closes.
        _dispatcher.Close();
        _shutdown.Cancel();
        _ = _loop?.StopAsync();
        base.PostStop();
    }

    private void StartLoop(bool paused)
    {
        _loop = new KafkaConsumerLoop(_options, _dispatcher, _state, Log, Self, paused);
        _loop.Start();
    }
}

/// <summary>Tells a Kafka consumer actor to make its consumer thread fail (to test recovery).</summary>
internal sealed record CrashConsumerThread(Exception Error);

/// <summary>The consumer thread of a Kafka consumer failed; its actor is restarted and joins again at the committed offsets.</summary>
public sealed class KafkaConsumerFailedException(string resource, Exception inner)
    : Exception($"The Kafka consumer '{resource}' failed: {inner.Message}", inner);
