using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Fleet;

/// <summary>
/// Publishes this instance's <see cref="InstanceStatus"/> under <c>/maintenance-status/&lt;service&gt;/&lt;id&gt;</c> on an etcd lease:
/// at start, on every transition and vote change, and every <see cref="FleetOptions.StatusInterval"/> while a drain or resume runs.
/// </summary>
/// <remarks>
/// The lease is kept alive every third of its TTL; when the process dies the keep-alives stop and etcd removes the key with the
/// lease. A lease etcd no longer knows (expired while etcd was unreachable) is granted again and the status written on it. One
/// write is in flight at a time; triggers meanwhile coalesce into one more write with the newest state. Stopping gracefully
/// revokes the lease (<see cref="RevokeStatus"/>), so the key vanishes at once.
/// </remarks>
internal sealed class InstanceStatusPublisher : ReceiveActor, IWithTimers
{
    private ILogger Log => _log ??= Context.System.LoggerFor(GetType());
    private ILogger? _log;

    private static readonly object TickTimer = new();
    private static readonly object KeepAliveTimer = new();
    private static readonly object RetryTimer = new();
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    private readonly FleetOptions _fleet;
    private readonly string _serviceKey;
    private readonly string _instanceKey;
    private readonly string _statusKey;
    private readonly IActorRef _supervisor;
    private readonly IFleetStatusStore _store;
    private readonly CancellationTokenSource _stopping = new();

    private long _leaseId;
    private bool _busy;
    private bool _dirty;
    private bool _keepingAlive;
    private bool _revoked;
    private int _failures;
    private string? _lastWritten;
    private DrainTimes? _drain;

    public InstanceStatusPublisher(FleetOptions fleet, string serviceKey, IActorRef supervisor, IFleetStatusStore store)
    {
        _fleet = fleet;
        _serviceKey = serviceKey;
        _instanceKey = fleet.InstanceKey(serviceKey);
        _statusKey = FleetKeys.StatusKey(fleet.Service!, fleet.InstanceId);
        _supervisor = supervisor;
        _store = store;

        Receive<MaintenanceTransitionStarted>(OnStarted);
        Receive<MaintenanceTransitionCompleted>(OnCompleted);
        Receive<MaintenanceStateChanged>(_ => Trigger());
        Receive<Refresh>(_ => Trigger());
        Receive<Gathered>(OnGathered);
        Receive<Written>(OnWritten);
        Receive<WriteFailed>(OnWriteFailed);
        Receive<KeepAlive>(_ => SendKeepAlive());
        Receive<KeptAlive>(OnKeptAlive);
        Receive<RevokeStatus>(_ => Revoke());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(MaintenanceTransitionStarted));
        Context.System.EventStream.Subscribe(Self, typeof(MaintenanceTransitionCompleted));
        Context.System.EventStream.Subscribe(Self, typeof(MaintenanceStateChanged));
        Timers.StartPeriodicTimer(KeepAliveTimer, KeepAlive.Instance, _fleet.StatusTtl / 3);
        Self.Tell(Refresh.Instance);
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _stopping.Cancel();
        if (!_revoked && _leaseId != 0)
        {
            // Stopped without RevokeStatus (the actor system is shutting down): best effort, else the lease expires after its TTL.
            _ = _store.RevokeAsync(_leaseId, CancellationToken.None).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        }
    }

    private void OnStarted(MaintenanceTransitionStarted started)
    {
        if (started.Enabled)
        {
            _drain = new DrainTimes(started.Epoch, started.StartedAt, started.Deadline, null);
        }
        Trigger();
    }

    private void OnCompleted(MaintenanceTransitionCompleted completed)
    {
        if (completed.Enabled && _drain is { } drain && drain.Epoch == completed.Epoch)
        {
            _drain = drain with { Duration = completed.Duration };
        }
        else if (!completed.Enabled && !completed.Superseded)
        {
            _drain = null; // serving again: the last drain's times are history
        }
        Trigger();
    }

    private void Trigger()
    {
        if (_revoked)
        {
            return;
        }
        if (_busy)
        {
            _dirty = true;
            return;
        }
        _busy = true;
        _dirty = false;
        var supervisor = _supervisor;
        var statusTask = supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, AskTimeout);
        var statsTask = supervisor.Ask<ResourceStatsReport>(GetResourceStats.Instance, AskTimeout);
        Task.WhenAll(statusTask, statsTask).PipeTo(Self, Self,
            success: () => new Gathered(statusTask.Result, statsTask.Result),
            failure: ex => new WriteFailed(ex, "asking the supervisor"));
    }

    private void OnGathered(Gathered gathered)
    {
        var now = Context.System.Clock().GetUtcNow();
        var status = Build(gathered.Status, gathered.Stats, now);
        var json = InstanceStatusJson.Serialize(status);
        var draining = status.Phase is InstancePhases.Draining or InstancePhases.Resuming;
        if (draining && !Timers.IsTimerActive(TickTimer))
        {
            Timers.StartPeriodicTimer(TickTimer, Refresh.Instance, _fleet.StatusInterval);
        }
        else if (!draining && Timers.IsTimerActive(TickTimer))
        {
            Timers.Cancel(TickTimer);
        }
        var comparable = InstanceStatusJson.Serialize(status with { UpdatedAt = default });
        if (comparable == _lastWritten && _leaseId != 0)
        {
            Done();
            return;
        }
        var store = _store;
        var lease = _leaseId;
        var ttl = _fleet.StatusTtl;
        var key = _statusKey;
        var token = _stopping.Token;
        WriteAsync(store, key, json, lease, ttl, token).PipeTo(Self, Self,
            success: leaseId => new Written(leaseId, comparable, status.Phase),
            failure: ex => new WriteFailed(ex, $"writing {key}"));
    }

    private static async Task<long> WriteAsync(IFleetStatusStore store, string key, string json, long leaseId, TimeSpan ttl, CancellationToken token)
    {
        if (leaseId == 0)
        {
            leaseId = await store.GrantLeaseAsync(ttl, token).ConfigureAwait(false);
        }
        await store.PutAsync(key, json, leaseId, token).ConfigureAwait(false);
        return leaseId;
    }

    private void OnWritten(Written written)
    {
        if (_revoked)
        {
            // Revoked while this write (and perhaps a fresh lease) was under way: take that lease back too.
            _ = _store.RevokeAsync(written.LeaseId, CancellationToken.None).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
            return;
        }
        if (_leaseId != written.LeaseId)
        {
            Log.LogInformation("Status of {Service}/{Instance} is published at {Key} on lease {Lease:x} (TTL {Ttl})",
                _fleet.Service, _fleet.InstanceId, _statusKey, written.LeaseId, _fleet.StatusTtl);
        }
        _leaseId = written.LeaseId;
        _lastWritten = written.Comparable;
        _failures = 0;
        Log.LogDebug("Status of {Instance} written: {Phase}", _fleet.InstanceId, written.Phase);
        Done();
    }

    private void OnWriteFailed(WriteFailed failed)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        // The first failure of an outage (and every tenth retry) is a warning; the retries between are debug.
        _failures++;
        Log.Log(_failures == 1 || _failures % 10 == 0 ? LogLevel.Warning : LogLevel.Debug,
            "Could not publish the status of {Instance} ({What}: {Error}); attempt {Attempt}, trying again in {Delay}",
            _fleet.InstanceId, failed.What, Describe(failed.Error), _failures, RetryDelay);
        _busy = false;
        _lastWritten = null;
        if (Describe(failed.Error).Contains("lease not found", StringComparison.Ordinal))
        {
            _leaseId = 0; // expired while etcd could not be reached: the next write grants a new one
        }
        Timers.StartSingleTimer(RetryTimer, Refresh.Instance, RetryDelay);
    }

    private TimeSpan RetryDelay => _fleet.StatusTtl / 5;

    private void Done()
    {
        _busy = false;
        if (_dirty)
        {
            Trigger();
        }
    }

    private void SendKeepAlive()
    {
        if (_leaseId == 0 || _keepingAlive)
        {
            return;
        }
        _keepingAlive = true;
        var lease = _leaseId;
        _store.KeepAliveAsync(lease, _stopping.Token).PipeTo(Self, Self,
            success: ttl => new KeptAlive(lease, ttl, null),
            failure: ex => new KeptAlive(lease, 0, ex));
    }

    private void OnKeptAlive(KeptAlive kept)
    {
        _keepingAlive = false;
        if (kept.Error is not null)
        {
            // The lease may still be alive: keep it and try on the next tick; if it expired meanwhile, etcd says so then.
            if (!_stopping.IsCancellationRequested)
            {
                Log.LogWarning("Keep-alive of the status lease of {Instance} failed ({Error})", _fleet.InstanceId, Describe(kept.Error));
            }
            return;
        }
        if (kept.Ttl <= 0 && kept.LeaseId == _leaseId)
        {
            Log.LogWarning("The status lease of {Instance} expired (etcd no longer knows it); granting a new one", _fleet.InstanceId);
            _leaseId = 0;
            _lastWritten = null;
            Trigger();
        }
    }

    private void Revoke()
    {
        _revoked = true;
        var lease = _leaseId;
        _leaseId = 0;
        Timers.CancelAll();
        var replyTo = Sender;
        if (lease == 0)
        {
            replyTo.Tell(StatusRevoked.Instance);
            return;
        }
        _store.RevokeAsync(lease, CancellationToken.None).PipeTo(replyTo, Self, success: () => StatusRevoked.Instance, failure: ex => new Status.Failure(ex));
    }

    private InstanceStatus Build(MaintenanceStatus status, ResourceStatsReport stats, DateTimeOffset now)
    {
        var vote = status.Votes.Where(v => v.IsActiveAt(now)).OrderBy(v => v.ObservedAt).FirstOrDefault();
        var phase = (status.InMaintenance, status.TransitionInProgress) switch
        {
            (true, true) => InstancePhases.Draining,
            (true, false) when status.LastTransition is { Enabled: true } last
                && last.Drains.Any(d => d.Outcome is DrainOutcome.TimedOut or DrainOutcome.Failed) => InstancePhases.TimedOut,
            (true, false) => InstancePhases.Drained,
            (false, true) => InstancePhases.Resuming,
            (false, false) => InstancePhases.Serving,
        };
        var resources = stats.Resources.OrderBy(r => r.Resource, StringComparer.Ordinal).Select(r => new InstanceResourceStatus(
            r.Resource,
            r.State switch
            {
                ResourceState.Running => InstancePhases.Serving,
                ResourceState.Draining => InstancePhases.Draining,
                ResourceState.Resuming => InstancePhases.Resuming,
                _ => r.LastDrainOutcome switch { DrainOutcome.TimedOut => InstancePhases.TimedOut, DrainOutcome.Failed => "failed", _ => InstancePhases.Drained },
            },
            r.State == ResourceState.Draining ? null : Outcome(r.LastDrainOutcome),
            r.InFlight)).ToArray();
        var drain = phase == InstancePhases.Serving ? null : _drain;
        long? drainMs = drain is null ? null : (long)(drain.Duration ?? (phase == InstancePhases.Draining ? now - drain.StartedAt : TimeSpan.Zero)).TotalMilliseconds;
        return new InstanceStatus(
            _fleet.Service!,
            _fleet.InstanceId,
            _fleet.Host,
            _fleet.Version,
            status.Epoch,
            phase,
            status.InMaintenance,
            vote?.Info?.Reason,
            vote?.Info?.By,
            vote?.Info?.Until,
            vote is null ? null : SourceOf(vote),
            resources.Sum(r => r.InFlight),
            drain?.StartedAt,
            drainMs,
            drain?.Deadline,
            resources,
            now);
    }

    private string SourceOf(SourceVote vote) => vote.Source switch
    {
        MaintenanceSupervisor.ShutdownSource => InstanceStatusSources.Shutdown,
        ScheduleSourceActor.Name => InstanceStatusSources.Window,
        _ when vote.Key == _instanceKey => InstanceStatusSources.Instance,
        _ when vote.Key == _serviceKey => InstanceStatusSources.Service,
        _ => vote.Source,
    };

    private static string? Outcome(DrainOutcome? outcome) => outcome switch
    {
        DrainOutcome.Drained => "drained",
        DrainOutcome.TimedOut => "timed-out",
        DrainOutcome.Failed => "failed",
        DrainOutcome.Superseded => "superseded",
        _ => null,
    };

    private static string Describe(Exception error)
    {
        var inner = error is AggregateException { InnerException: { } first } ? first : error;
        return $"{inner.GetType().Name}: {inner.Message}";
    }

    private sealed record DrainTimes(long Epoch, DateTimeOffset StartedAt, DateTimeOffset? Deadline, TimeSpan? Duration);

    private sealed class Refresh
    {
        public static readonly Refresh Instance = new();
    }

    private sealed class KeepAlive
    {
        public static readonly KeepAlive Instance = new();
    }

    private sealed record Gathered(MaintenanceStatus Status, ResourceStatsReport Stats);
    private sealed record Written(long LeaseId, string Comparable, string Phase);
    private sealed record WriteFailed(Exception Error, string What);
    private sealed record KeptAlive(long LeaseId, long Ttl, Exception? Error);
}

/// <summary>Asks the publisher to revoke its lease (the status vanishes at once) and stop writing; answered with <see cref="StatusRevoked"/>.</summary>
internal sealed class RevokeStatus
{
    public static readonly RevokeStatus Instance = new();
    private RevokeStatus() { }
}

/// <summary>The answer to <see cref="RevokeStatus"/>.</summary>
internal sealed class StatusRevoked
{
    public static readonly StatusRevoked Instance = new();
    private StatusRevoked() { }
}
