namespace MaintenanceActors;

/// <summary>Coordinator settings, bound from the <c>Maintenance</c> configuration section.</summary>
public sealed class MaintenanceOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Maintenance";

    /// <summary>How long each resource may drain before it is reported TimedOut (default 30 s); a resource may set its own.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long each resource may take to resume (default 10 s).</summary>
    public TimeSpan ResumeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait this long for the sources to settle before starting a transition (default zero: off).</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.Zero;

    /// <summary>First delay before a crashed resource actor is restarted (default 100 ms), doubled per crash.</summary>
    public TimeSpan RestartMinBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest delay before a crashed resource actor is restarted (default 10 s).</summary>
    public TimeSpan RestartMaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Extra time after a resource's deadline before the supervisor stops waiting for its answer (default 2 s).</summary>
    public TimeSpan ReplyGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Deadline of the drain that runs when the host stops (CoordinatedShutdown's <c>before-service-unbind</c> phase; default 20 s).
    /// Each resource gets the shorter of this and its own drain timeout; keep it below the host's shutdown timeout (30 s by default).
    /// </summary>
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a source may be disconnected (etcd unreachable, never reached) before readiness says so (default 30 s).</summary>
    public TimeSpan SourceOutageThreshold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// What readiness reports once a source has been away longer than <see cref="SourceOutageThreshold"/>: <see cref="SourceOutagePolicy.Degraded"/>
    /// (default: stay ready, report Degraded with the error, since the last known state still stands) or <see cref="SourceOutagePolicy.NotReady"/>.
    /// </summary>
    public SourceOutagePolicy SourceOutageReadiness { get; set; } = SourceOutagePolicy.Degraded;

    /// <summary>Checks every field; throws <see cref="MaintenanceConfigurationException"/> naming the first bad one.</summary>
    public void Validate(string section = SectionName)
    {
        Positive(DrainTimeout, $"{section}:DrainTimeout", "e.g. 00:00:30");
        Positive(ResumeTimeout, $"{section}:ResumeTimeout", "e.g. 00:00:10");
        Positive(ShutdownDrainTimeout, $"{section}:ShutdownDrainTimeout", "e.g. 00:00:20");
        Positive(SourceOutageThreshold, $"{section}:SourceOutageThreshold", "e.g. 00:00:30");
        if (!Enum.IsDefined(SourceOutageReadiness))
        {
            throw new MaintenanceConfigurationException($"{section}:SourceOutageReadiness", $"must be Degraded or NotReady, but was {SourceOutageReadiness}");
        }
        if (Debounce < TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:Debounce", "must be zero (off) or positive (e.g. 00:00:00.200)");
        }
        Positive(RestartMinBackoff, $"{section}:RestartMinBackoff", "e.g. 00:00:00.100");
        Positive(RestartMaxBackoff, $"{section}:RestartMaxBackoff", "e.g. 00:00:10");
        if (RestartMaxBackoff < RestartMinBackoff)
        {
            throw new MaintenanceConfigurationException($"{section}:RestartMaxBackoff", "must not be shorter than RestartMinBackoff");
        }
        if (ReplyGrace < TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:ReplyGrace", "must not be negative (e.g. 00:00:02)");
        }
    }

    internal static void Positive(TimeSpan value, string field, string example)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException(field, $"must be a positive duration ({example}), but was {value}");
        }
    }
}

/// <summary>What readiness says while a maintenance source has been away longer than <see cref="MaintenanceOptions.SourceOutageThreshold"/>.</summary>
public enum SourceOutagePolicy
{
    /// <summary>Stay ready (the last known state still stands) and report Degraded with the source's error.</summary>
    Degraded,
    /// <summary>Report not ready until the source is back.</summary>
    NotReady,
}
