using Microsoft.AspNetCore.Http;

namespace MaintenanceActors.AspNetCore.Http;

/// <summary>How the HTTP drain refuses requests during maintenance and which requests it leaves alone.</summary>
public sealed class HttpDrainOptions
{
    /// <summary>Paths that are never refused nor counted, matched exactly (case-insensitive). Default: none.</summary>
    public IList<string> SkipPaths { get; } = new List<string>();

    /// <summary>Path prefixes (whole segments) never refused nor counted. Default: /health, /healthz, /ready, /metrics.</summary>
    public IList<string> SkipPathPrefixes { get; } = new List<string> { "/health", "/healthz", "/ready", "/metrics" };

    /// <summary>Any other request to leave alone (return true to skip). Default: null.</summary>
    public Func<HttpContext, bool>? SkipWhen { get; set; }

    /// <summary>Retry-After when the end of maintenance is unknown; null sends none. Default: 30 s.</summary>
    public TimeSpan? DefaultRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest Retry-After sent, however far away "until" is (a value set for next year must not tell clients to stay away
    /// for a year, and the operator may end maintenance early). Default: 1 hour.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The problem "type" URI of a refusal. Default: urn:maintenance-actors:problem:maintenance.</summary>
    public string ProblemType { get; set; } = "urn:maintenance-actors:problem:maintenance";

    /// <summary>The problem "title" of a refusal. Default: "Service in maintenance".</summary>
    public string ProblemTitle { get; set; } = "Service in maintenance";

    /// <summary>Send "Connection: close" with a refusal on HTTP/1.x so clients reconnect elsewhere. Default: true.</summary>
    public bool CloseConnection { get; set; } = true;

    /// <summary>
    /// Readiness first: how long readiness already reports unhealthy while requests are still served,
    /// so load balancers stop sending before anything is refused. Default: zero.
    /// </summary>
    public TimeSpan ReadinessDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The resource name in reports, stats and health (also the actor name). Default: "http".</summary>
    public string ResourceName { get; set; } = "http";

    /// <summary>This drain's deadline; null uses the coordinator's MaintenanceOptions.DrainTimeout. Default: null.</summary>
    public TimeSpan? DrainTimeout { get; set; }

    /// <summary>Throws <see cref="MaintenanceConfigurationException"/> naming the first field that cannot work and what to do.</summary>
    public void Validate(string section = "Maintenance:Http")
    {
        foreach (var path in SkipPaths.Concat(SkipPathPrefixes))
        {
            if (string.IsNullOrEmpty(path) || path[0] != '/')
            {
                throw new MaintenanceConfigurationException($"{section}:SkipPaths", $"entry '{path}' must start with '/' (e.g. /health)");
            }
        }

        if (DefaultRetryAfter is { } retry && retry < TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:DefaultRetryAfter", "must be zero or positive, or null to send no Retry-After");
        }

        if (MaxRetryAfter < TimeSpan.FromSeconds(1))
        {
            throw new MaintenanceConfigurationException($"{section}:MaxRetryAfter", $"must be at least one second (e.g. 01:00:00), but was {MaxRetryAfter}");
        }

        if (ReadinessDelay < TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:ReadinessDelay", "must be zero or positive (e.g. 00:00:05 for a load balancer probing every 2 s)");
        }

        if (DrainTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:DrainTimeout", "must be positive (e.g. 00:00:30), or null for the coordinator's default");
        }

        if (string.IsNullOrWhiteSpace(ProblemType) || string.IsNullOrWhiteSpace(ProblemTitle))
        {
            throw new MaintenanceConfigurationException($"{section}:ProblemTitle", "and ProblemType must not be empty");
        }

        if (string.IsNullOrWhiteSpace(ResourceName))
        {
            throw new MaintenanceConfigurationException($"{section}:ResourceName", "must not be empty (e.g. http)");
        }
    }
}
