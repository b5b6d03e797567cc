using Akka.Actor;

namespace MaintenanceActors;

/// <summary>The webhook source: verifies a signed request and publishes its value as <see cref="MaintenanceStateChanged"/>.</summary>
/// <remarks>The HTTP endpoint (<c>app.MapMaintenanceWebhook()</c>) only reads headers and body and calls <see cref="Accept(string?, string?, ReadOnlySpan{byte}, out string?)"/>.</remarks>
public sealed class WebhookSource
{
    private readonly ActorSystem _system;
    private readonly WebhookSignature _signature;
    private readonly Queue<string> _warnings = new();
    private long _revision;
    private MaintenanceStateChanged? _last;
    private SourceHealth? _health;
    private volatile bool _malformed;

    /// <summary>Creates the source; values are published on <paramref name="system"/>'s EventStream.</summary>
    public WebhookSource(ActorSystem system, WebhookSourceOptions options)
    {
        options.Validate();
        _system = system;
        Options = options;
        _signature = new WebhookSignature(options.Secret, options.Tolerance, system.Clock());
        var relay = system.ActorOf(FactoryProps.Create(() => new StateRelay(this)));
        system.EventStream.Subscribe(relay, typeof(MaintenanceStateRequested));
    }

    /// <summary>The options in use.</summary>
    public WebhookSourceOptions Options { get; }

    /// <summary>The signer/verifier (also useful to clients and tests that need to sign a request).</summary>
    public WebhookSignature Signature => _signature;

    /// <summary>Verifies and, when accepted, publishes the body's value; returns the verdict.</summary>
    public WebhookVerdict Accept(string? timestamp, string? signature, ReadOnlySpan<byte> body) => Accept(timestamp, signature, body, out _);

    /// <summary>As <see cref="Accept(string?, string?, ReadOnlySpan{byte})"/>; <paramref name="problem"/> says what was wrong with a <see cref="WebhookVerdict.Malformed"/> body.</summary>
    public WebhookVerdict Accept(string? timestamp, string? signature, ReadOnlySpan<byte> body, out string? problem)
    {
        problem = null;
        if (body.Length > Options.MaxBodyBytes)
        {
            return WebhookVerdict.TooLarge;
        }
        var verdict = _signature.Verify(timestamp, signature, body);
        if (verdict != WebhookVerdict.Accepted)
        {
            ReportHealth($"refused a request: {verdict}");
            return verdict;
        }
        var revision = Interlocked.Increment(ref _revision);
        var value = MaintenanceValueParser.Parse(body, Options.SourceName, revision);
        if (value.IsMalformed)
        {
            // Signed but unreadable: the last state stands, and health says so until a valid value comes.
            _malformed = true;
            problem = value.Warning;
            ReportHealth(value.Warning);
            return WebhookVerdict.Malformed;
        }
        _malformed = false;
        var changed = new MaintenanceStateChanged(
            Options.SourceName, Options.SourceName, value.Enabled, value.Info, revision, _system.Clock().GetUtcNow(), Schedule: value.Schedule);
        lock (_warnings)
        {
            if (_last is null || _last.Revision < revision) _last = changed;
        }
        _system.EventStream.Publish(changed);
        ReportHealth(null);
        return verdict;
    }

    private void ReportHealth(string? warning)
    {
        // Refused requests are worth seeing in health (someone is calling with a wrong secret or replaying), not fatal.
        lock (_warnings)
        {
            if (warning is not null)
            {
                if (_warnings.Count == 10) _warnings.Dequeue();
                _warnings.Enqueue(warning);
            }
            _health = new SourceHealth(Options.SourceName, _malformed ? ComponentHealth.Degraded : ComponentHealth.Healthy, true, null, Interlocked.Read(ref _revision), null, _warnings.ToArray());
            _system.EventStream.Publish(new SourceHealthChanged(_health));
        }
    }

    /// <summary>Answers a (re)started supervisor with the last accepted value and health, as the actor sources do.</summary>
    private sealed class StateRelay : ReceiveActor
    {
        public StateRelay(WebhookSource source)
        {
            Receive<MaintenanceStateRequested>(request =>
            {
                MaintenanceStateChanged? last;
                SourceHealth? health;
                lock (source._warnings)
                {
                    last = source._last;
                    health = source._health;
                }
                if (last is not null) request.ReplyTo.Tell(last, Self);
                if (health is not null) request.ReplyTo.Tell(new SourceHealthChanged(health), Self);
            });
        }
    }
}
