using Akka.Actor;
using Akka.Event;
using Grpc.Net.Client;

namespace MaintenanceActors.Failover;

/// <summary>
/// Checks one endpoint at its interval (the first check at once) and reports each result to the registry (its parent);
/// a <see cref="HealthCheck"/> runs a check now and answers the asker too. One check runs at a time.
/// </summary>
internal sealed class HealthCheckActor : ReceiveActor, IWithTimers
{
    private readonly ServiceEndpoint _endpoint;
    private readonly HealthCheckSpec _spec;
    private readonly HealthProbes _probes;
    private readonly List<IActorRef> _waiting = new();
    private GrpcChannel? _channel;
    private bool _running;

    public HealthCheckActor(ServiceEndpoint endpoint, HealthCheckSpec spec, HealthProbes probes)
    {
        _endpoint = endpoint;
        _spec = spec;
        _probes = probes;

        Receive<Tick>(_ => Run());
        Receive<HealthCheck>(_ =>
        {
            _waiting.Add(Sender);
            Run();
        });
        Receive<Checked>(done =>
        {
            _running = false;
            Context.Parent.Tell(done.Report);
            foreach (var asker in _waiting)
            {
                asker.Tell(done.Report);
            }
            _waiting.Clear();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ServiceEndpoint endpoint, HealthCheckSpec spec, HealthProbes probes) =>
        Akka.Actor.Props.Create(() => new HealthCheckActor(endpoint, spec, probes));

    protected override void PreStart()
    {
        if (_spec.Kind == HealthCheckKind.Grpc)
        {
            _channel = _probes.CreateChannel(_endpoint);
        }
        Self.Tell(Tick.Instance);
        Timers.StartPeriodicTimer("check", Tick.Instance, _spec.Interval);
    }

    protected override void PostStop() => _channel?.Dispose();

    private void Run()
    {
        if (_running) return;
        _running = true;
        var self = Self;
        var log = Context.GetLogger();
        _probes.CheckAsync(_endpoint, _spec, _channel).ContinueWith(
            t =>
            {
                if (t.IsFaulted)
                {
                    log.Warning("Health check of {0} failed unexpectedly: {1}", _endpoint.Id, t.Exception?.GetBaseException().Message);
                }
                return new Checked(t.IsCompletedSuccessfully
                    ? t.Result
                    : new EndpointHealthReport(_endpoint.Id, EndpointHealth.Unhealthy, t.Exception?.GetBaseException().Message, TimeSpan.Zero, DateTimeOffset.UtcNow));
            },
            TaskScheduler.Default).PipeTo(self);
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record Checked(EndpointHealthReport Report);
}
