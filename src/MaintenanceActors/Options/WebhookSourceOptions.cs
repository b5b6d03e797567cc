namespace MaintenanceActors;

/// <summary>A signed HTTP endpoint that switches maintenance (HMAC-SHA256 over timestamp and body).</summary>
public sealed class WebhookSourceOptions
{
    /// <summary>Shared secret for the HMAC-SHA256 signature; at least 16 characters. Required.</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>Name of this source in events, status and health (default "webhook").</summary>
    public string SourceName { get; set; } = "webhook";

    /// <summary>How far a request's timestamp may be from now, either way (default 5 min); older requests are replays.</summary>
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest accepted body (default 64 KiB).</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Checks every field; throws <see cref="MaintenanceConfigurationException"/> naming the first bad one.</summary>
    public void Validate(string section = "Maintenance:Webhook")
    {
        if (string.IsNullOrEmpty(Secret) || Secret.Length < 16)
        {
            throw new MaintenanceConfigurationException($"{section}:Secret", "must be at least 16 characters (e.g. generate one with: openssl rand -hex 32)");
        }
        if (string.IsNullOrWhiteSpace(SourceName))
        {
            throw new MaintenanceConfigurationException($"{section}:SourceName", "must not be empty (e.g. webhook)");
        }
        MaintenanceOptions.Positive(Tolerance, $"{section}:Tolerance", "e.g. 00:05:00");
        if (MaxBodyBytes <= 0)
        {
            throw new MaintenanceConfigurationException($"{section}:MaxBodyBytes", $"must be positive (e.g. 65536), but was {MaxBodyBytes}");
        }
    }
}
