using System.Diagnostics;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MaintenanceActors.EntityFrameworkCore;

/// <summary>
/// Drains a database pool: closes the connection gate (beyond the allowance), waits until the connections in use are
/// within the allowance, then closes the pool's idle physical connections. Outside maintenance it checks the database
/// with a real round trip; in maintenance it opens nothing and reports the last result.
/// </summary>
internal sealed class DbPoolActor : DrainableResourceActor
{
    private static readonly object ProbeTimer = new();

    private readonly MaintenanceDbPool _pool;
    private bool _probing;
    private DbProbeResult? _lastProbe;
    private long _probesFailed;
    private NpgsqlPoolMeter? _meter;

    [ActivatorUtilitiesConstructor]
    public DbPoolActor(string resourceName, IServiceProvider services)
        : this(services.GetRequiredKeyedService<MaintenanceDbPool>(resourceName))
    {
    }

    public DbPoolActor(MaintenanceDbPool pool)
    {
        _pool = pool;
    }

    protected override long InFlight => _pool.Gate.InUse;

    protected override IReadOnlyDictionary<string, long> Counters
    {
        get
        {
            var stats = _pool.Gate.GetStats();
            var counters = new Dictionary<string, long>
            {
                ["in_use"] = stats.InUse,
                ["allowance"] = _pool.Gate.Allowance,
                ["opened"] = stats.Opened,
                ["refused"] = stats.Refused,
                ["waits"] = stats.Waits,
                ["health_checks_failed"] = _probesFailed,
            };
            foreach (var (name, value) in _meter?.Read() ?? [])
            {
                counters[name] = value;
            }
            return counters;
        }
    }

    protected override void PreStart()
    {
        if (_pool.Inner is NpgsqlDataSource npgsql)
        {
            _meter = new NpgsqlPoolMeter(_pool.Options.NpgsqlPoolName ?? npgsql.ConnectionString);
        }
        base.PreStart();
        Timers.StartPeriodicTimer(ProbeTimer, ProbeNow.Instance, _pool.Options.HealthCheckInterval);
        Self.Tell(ProbeNow.Instance);
    }

    protected override void PostStop()
    {
        _meter?.Dispose();
        base.PostStop();
    }

    protected override void ReceiveResourceMessages()
    {
        Receive<ProbeNow>(_ => StartProbe());
        Receive<DbProbeResult>(OnProbeResult);
    }

    protected override void StopIntake() => _pool.Gate.Close(CurrentInfo?.Reason);

    protected override Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        // The wait ends off the actor, where Context (and with it Log and ResourceName) is not available: capture them now.
        var log = Log;
        var resource = ResourceName;
        return WaitThenClearAsync(_pool, log, resource, cancellationToken);
    }

    // Connections still busy at the deadline close when given back; the idle ones can go now.
    protected override void OnDeadline(long inFlight) => ClearIdle(_pool, Log, ResourceName);

    protected override void ResumeIntake() => _pool.Gate.Open();

    protected override void OnResumed(ExitMaintenance exit) => Self.Tell(ProbeNow.Instance);

    protected override ResourceHealth CheckHealth()
    {
        var baseHealth = base.CheckHealth();
        var last = _lastProbe;
        if (State is ResourceState.Running or ResourceState.Resuming)
        {
            return last switch
            {
                null => new(ResourceName, ComponentHealth.Healthy, "no round trip to the database yet"),
                { Error: null } => new(ResourceName, ComponentHealth.Healthy, $"round trip {last.Duration.TotalMilliseconds:0} ms"),
                _ => new(ResourceName, ComponentHealth.Unhealthy, $"database unreachable: {last.Error}"),
            };
        }
        // In maintenance no connection is opened to check: the last result stands, said as such.
        var lastText = last switch
        {
            null => "no round trip before maintenance",
            { Error: null } => $"last round trip ok at {last.At:O}",
            _ => $"last round trip failed at {last.At:O}: {last.Error}",
        };
        var status = last is { Error: not null } ? ComponentHealth.Unhealthy : baseHealth.Status;
        var detail = baseHealth.Status == ComponentHealth.Degraded ? baseHealth.Detail : $"in maintenance ({State})";
        return new(ResourceName, status, $"{detail}; {lastText}");
    }

    private void StartProbe()
    {
        if (_probing || State != ResourceState.Running)
        {
            return;
        }
        // Admitted here, on the actor, so a StopIntake that follows counts the probe's connection in use and waits for it
        // (admitted later, off the actor, it could be refused by a drain that began in between).
        try
        {
            _pool.Gate.Enter();
        }
        catch (MaintenanceException)
        {
            return; // only while intake is stopped, and then health reports the last result
        }
        _probing = true;
        ProbeAsync(_pool, Time).PipeTo(Self);
    }

    private void OnProbeResult(DbProbeResult result)
    {
        _probing = false;
        var wasFailing = _lastProbe is { Error: not null };
        _lastProbe = result;
        if (result.Error is not null)
        {
            _probesFailed++;
            if (!wasFailing)
            {
                Log.LogWarning("Database {Resource} failed its health round trip: {Error}", ResourceName, result.Error);
            }
        }
        else if (wasFailing)
        {
            Log.LogInformation("Database {Resource} answers again ({Milliseconds} ms)", ResourceName, result.Duration.TotalMilliseconds);
        }
        ReportHealth();
    }

    private static async Task WaitThenClearAsync(MaintenanceDbPool pool, ILogger log, string resource, CancellationToken cancellationToken)
    {
        await pool.Gate.WhenWithinAllowanceAsync(cancellationToken).ConfigureAwait(false);
        ClearIdle(pool, log, resource);
    }

    private static void ClearIdle(MaintenanceDbPool pool, ILogger log, string resource)
    {
        if (pool.ClearIdleConnections())
        {
            log.LogInformation("Database {Resource}: idle pooled connections closed ({InUse} still in use)", resource, pool.Gate.InUse);
        }
        else
        {
            log.LogInformation("Database {Resource}: the data source has no pool to clear ({Type})", resource, pool.Inner.GetType().Name);
        }
    }

    // Runs off the actor with a gate admission already taken (given back here); never throws, so the result always
    // comes back as a message.
    private static async Task<DbProbeResult> ProbeAsync(MaintenanceDbPool pool, TimeProvider time)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = new CancellationTokenSource(pool.Options.HealthCheckTimeout);
            await using var connection = pool.Inner.CreateConnection();
            await connection.OpenAsync(timeout.Token).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = pool.Options.HealthCheckQuery;
            await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
            return new DbProbeResult(time.GetUtcNow(), Stopwatch.GetElapsedTime(started), null);
        }
        catch (OperationCanceledException)
        {
            return new DbProbeResult(time.GetUtcNow(), Stopwatch.GetElapsedTime(started),
                $"no answer within {pool.Options.HealthCheckTimeout.TotalSeconds:0.###} s");
        }
        catch (Exception ex)
        {
            return new DbProbeResult(time.GetUtcNow(), Stopwatch.GetElapsedTime(started), $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            pool.Gate.Exit();
        }
    }

    private sealed class ProbeNow
    {
        public static readonly ProbeNow Instance = new();
    }

    private sealed record DbProbeResult(DateTimeOffset At, TimeSpan Duration, string? Error);
}
