using Microsoft.Extensions.Logging;
using Akka.Actor;

namespace MaintenanceActors;

/// <summary>Base for a custom maintenance source: publish what you observe with <see cref="PublishState"/>, report health with <see cref="ReportHealth"/>.</summary>
/// <remarks>
/// Register it with <c>AddSource&lt;TActor&gt;("name")</c>. The supervisor combines all sources: the service is
/// in maintenance while any source says on. Revisions are numbered by the base (increasing, also across restarts), and a
/// repeated value is published only when it changes. <see cref="GetHealth"/> is answered with the last reported health.
/// </remarks>
public abstract class MaintenanceSourceActor : ReceiveActor
{
    /// <summary>A logger named after the actor class, writing to the host's logging.</summary>
    protected ILogger Log => _log ??= Context.System.LoggerFor(GetType());
    private ILogger? _log;

    private readonly Dictionary<string, (long Revision, MaintenanceValue Value, MaintenanceStateChanged Event)> _last = new(StringComparer.Ordinal);
    private static long s_revisions;
    private SourceHealth? _health;
    private readonly Dictionary<string, string> _invalid = new(StringComparer.Ordinal);

    /// <summary>Registers the health query; subclasses add their own handlers in their constructor.</summary>
    protected MaintenanceSourceActor()
    {
        Receive<GetHealth>(_ => Sender.Tell(_health ?? SourceHealth.Starting(SourceName), Self));
        Receive<MaintenanceStateRequested>(request =>
        {
            foreach (var last in _last.Values)
            {
                request.ReplyTo.Tell(last.Event, Self);
            }
            if (_health is not null)
            {
                request.ReplyTo.Tell(new SourceHealthChanged(_health), Self);
            }
        });
    }

    /// <summary>Subscribes to <see cref="MaintenanceStateRequested"/>; call base when overriding.</summary>
    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(MaintenanceStateRequested));

    /// <summary>The source name in events, status and health (default: the actor's name).</summary>
    protected virtual string SourceName => Self.Path.Name;

    /// <summary>
    /// Publishes a value for <paramref name="key"/> unless it equals the last one; returns true when published.
    /// A malformed value (<see cref="MaintenanceValue.IsMalformed"/>) is not published: the last state stands, and the
    /// source reports itself Degraded with the warning until a valid value arrives for that key.
    /// </summary>
    protected bool PublishState(string key, MaintenanceValue value, bool force = false)
    {
        if (value.IsMalformed)
        {
            _invalid[key] = value.Warning!;
            Log.LogWarning("Source {Source}: {Warning}", SourceName, value.Warning);
            RefreshHealth();
            return false;
        }
        if (_invalid.Remove(key))
        {
            RefreshHealth();
        }
        _last.TryGetValue(key, out var last);
        if (!force && last.Value is not null && last.Value == value)
        {
            return false;
        }
        // Process-wide and increasing, so a restarted source's first value still counts as newer than its predecessor's last.
        var revision = Interlocked.Increment(ref s_revisions);
        var changed = new MaintenanceStateChanged(
            SourceName, key, value.Enabled, value.Info, revision, Context.System.Clock().GetUtcNow(), Warning: value.Warning, Schedule: value.Schedule);
        _last[key] = (revision, value, changed);
        Context.System.EventStream.Publish(changed);
        return true;
    }

    /// <summary>The last revision published for <paramref name="key"/> (0 if none).</summary>
    protected long RevisionOf(string key) => _last.TryGetValue(key, out var last) ? last.Revision : 0;

    /// <summary>Publishes <see cref="SourceHealthChanged"/> when the health differs from the last report.</summary>
    protected void ReportHealth(bool connected, string? lastError = null, IReadOnlyList<string>? warnings = null, long lastRevision = 0)
    {
        _lastReport = (connected, lastError, warnings, lastRevision);
        var status = !connected ? ComponentHealth.Unhealthy : _invalid.Count > 0 ? ComponentHealth.Degraded : ComponentHealth.Healthy;
        var allWarnings = _invalid.Values.Concat(warnings ?? Array.Empty<string>()).Distinct(StringComparer.Ordinal).ToArray();
        var health = new SourceHealth(SourceName, status, connected,
            connected ? null : _health?.ReconnectingSince ?? Context.System.Clock().GetUtcNow(),
            lastRevision, lastError, allWarnings);
        if (_health is not null && _health.Status == health.Status && _health.Connected == health.Connected && _health.LastError == health.LastError
            && _health.Warnings.SequenceEqual(health.Warnings))
        {
            _health = health;
            return;
        }
        _health = health;
        Context.System.EventStream.Publish(new SourceHealthChanged(health));
    }

    // The subclass's last report, repeated when a malformed value comes or goes, so health turns Degraded (or back) at once.
    private (bool Connected, string? LastError, IReadOnlyList<string>? Warnings, long LastRevision)? _lastReport;

    private void RefreshHealth()
    {
        if (_lastReport is { } last)
        {
            ReportHealth(last.Connected, last.LastError, last.Warnings, last.LastRevision);
        }
    }
}
