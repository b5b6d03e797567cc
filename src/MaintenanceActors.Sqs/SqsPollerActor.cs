using Akka.Actor;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Sqs;

/// <summary>
/// Drains an SQS consumer: <see cref="SqsPollerOptions.Pollers"/> pollers each run receive → process → settle rounds off
/// the actor and tell the actor when a round ends; the actor starts the next round only while intake is open. Maintenance
/// stops new receives without cancelling one that is waiting (its messages are released at once), lets processing
/// messages finish and be deleted, and reports Drained (or TimedOut with what is still processing). Polling starts when the
/// supervisor first says the resource may run (it always does when a resource starts).
/// </summary>
internal sealed class SqsPollerActor : DrainableResourceActor
{
    private static readonly object ProbeTimer = new();
    private static readonly List<string> ProbeAttributes =
        ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"];

    // What SQS (and the AWS front door before it) answers when the request's signature or key is not accepted.
    private static readonly HashSet<string> CredentialErrors = new(StringComparer.Ordinal)
    {
        "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "IncompleteSignature", "ExpiredToken",
        "MissingAuthenticationToken", "InvalidSecurity", "AccessDenied", "AccessDeniedException", "InvalidAccessKeyId",
    };

    private readonly SqsPollerOptions _options;
    private readonly IAmazonSQS _sqs;
    private readonly ISqsMessageProcessor _processor;
    private readonly SqsPollerState _state;
    private readonly SqsIntake _intake;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly bool[] _polling;
    private SqsPollCycle _cycle = null!;

    /// <summary>Built by the hosting extension: the client and processor come from the service provider.</summary>
    [ActivatorUtilitiesConstructor]
    public SqsPollerActor(SqsPollerOptions options, SqsPollerBinding binding, IServiceProvider services)
        : this(options, binding.Client(services), binding.Processor(services), binding.State)
    {
    }

    public SqsPollerActor(SqsPollerOptions options, IAmazonSQS sqs, ISqsMessageProcessor processor, SqsPollerState? state = null)
    {
        options.Validate();
        _options = options;
        _sqs = sqs;
        _processor = processor;
        _polling = new bool[options.Pollers];
        _state = state ?? new SqsPollerState(TimeProvider.System);
        _intake = _state.Intake;
    }

    protected override long InFlight => _intake.InFlight;

    protected override IReadOnlyDictionary<string, long> Counters => _state.Stats.ToCounters(_intake.InFlight);

    protected override void StopIntake() => _intake.Close();

    protected override Task WaitForIdleAsync(CancellationToken cancellationToken) => _intake.WhenIdle.WaitAsync(cancellationToken);

    protected override void ResumeIntake()
    {
        _intake.Open();
        for (var poller = 0; poller < _polling.Length; poller++)
        {
            StartRound(poller);
        }
    }

    protected override ResourceHealth CheckHealth() => _state.QueueProblem is { } problem
        ? new ResourceHealth(ResourceName, ComponentHealth.Unhealthy, problem)
        : base.CheckHealth();

    protected override void ReceiveResourceMessages()
    {
        Receive<PollCycleEnded>(OnRoundEnded);
        Receive<PollAgain>(again => StartRound(again.Poller));
        Receive<ProbeQueue>(_ => Probe());
        Receive<QueueProbed>(OnProbed);
        Receive<GetSqsPollerStats>(_ => Sender.Tell(Snapshot(), Self));
    }

    protected override void PreStart()
    {
        _cycle = new SqsPollCycle(_sqs, _processor, _options, _intake, _state.Stats, Log, Time, _shutdown.Token);
        base.PreStart();
        Probe();
        Timers.StartPeriodicTimer(ProbeTimer, ProbeQueue.Instance, _options.HealthCheckInterval);
    }

    protected override void PostStop()
    {
        // The processor's token means "the poller is going away"; a receive still waiting is left to end on its own.
        _shutdown.Cancel();
        _intake.Close();
        base.PostStop();
    }

    private void StartRound(int poller)
    {
        if (_polling[poller] || !_intake.IsOpen)
        {
            return;
        }
        _polling[poller] = true;
        _cycle.RunAsync(poller).PipeTo(Self, Self, failure: ex => new PollCycleEnded(poller, 0, 0, ex));
    }

    private void OnRoundEnded(PollCycleEnded ended)
    {
        _polling[ended.Poller] = false;
        if (ended.ReceiveError is { } error)
        {
            SetQueueProblem(Describe(error));
            Log.LogError(error, "SQS poller {Poller} of {Resource} could not receive from {QueueUrl}; retrying in {Backoff}",
                ended.Poller, ResourceName, _options.QueueUrl, _options.ReceiveErrorBackoff);
            Timers.StartSingleTimer(("poll", ended.Poller), new PollAgain(ended.Poller), _options.ReceiveErrorBackoff);
            return;
        }
        SetQueueProblem(null);
        StartRound(ended.Poller);
    }

    private void Probe()
    {
        _sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = _options.QueueUrl, AttributeNames = ProbeAttributes })
            .PipeTo(Self, Self, success: response => new QueueProbed(null), failure: ex => new QueueProbed(ex));
    }

    private void OnProbed(QueueProbed probed)
    {
        if (probed.Error is { } error)
        {
            _state.Stats.RecordError("health", error);
            Log.LogWarning("SQS queue {QueueUrl} of {Resource} is not reachable: {Problem}", _options.QueueUrl, ResourceName, Describe(error));
        }
        else
        {
            _state.ProbedAt = Time.GetUtcNow();
        }
        SetQueueProblem(probed.Error is null ? null : Describe(probed.Error));
    }

    private void SetQueueProblem(string? problem)
    {
        _state.QueueProblem = problem;
        ReportHealth();
    }

    private string Describe(Exception error) => error switch
    {
        QueueDoesNotExistException => $"queue {_options.QueueUrl} does not exist: create it or fix QueueUrl",
        AmazonServiceException rejected when CredentialErrors.Contains(rejected.ErrorCode ?? "") =>
            $"SQS rejected the credentials for {_options.QueueUrl}: {rejected.ErrorCode} {rejected.Message} "
            + "(check the access key, secret and session token the AWS SDK's credential chain finds, and the queue's permissions)",
        AmazonSQSException sqs => $"SQS refused {_options.QueueUrl}: {sqs.ErrorCode} {sqs.Message}",
        AmazonClientException client when client.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase) =>
            $"no AWS credentials for {_options.QueueUrl}: {client.Message}",
        _ => $"cannot reach SQS for {_options.QueueUrl}: {error.GetBaseException().Message}",
    };

    private SqsPollerStatsSnapshot Snapshot() => _state.Snapshot(ResourceName);

    private sealed record PollAgain(int Poller);

    private sealed record QueueProbed(Exception? Error);

    private sealed class ProbeQueue
    {
        public static readonly ProbeQueue Instance = new();
    }
}
