namespace MaintenanceActors.Sqs;

/// <summary>Which queue an SQS poller reads, how many receives it keeps open, and how it holds and gives back messages.</summary>
public sealed class SqsPollerOptions
{
    /// <summary>The queue to read (e.g. https://sqs.us-east-1.amazonaws.com/123456789012/orders). Required.</summary>
    public string QueueUrl { get; set; } = "";

    /// <summary>Concurrent pollers; each receives a batch, processes it and receives again. Default: 1 (1 to 64).</summary>
    public int Pollers { get; set; } = 1;

    /// <summary>Messages asked for per receive. Default: 10 (1 to 10, the SQS limit).</summary>
    public int BatchSize { get; set; } = 10;

    /// <summary>Long-poll wait of one receive, in whole seconds. Default: 20 s (0 to 20 s, the SQS limit).</summary>
    public TimeSpan WaitTime { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a received message stays hidden from other consumers, in whole seconds. Default: 30 s (1 s to 12 h).</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// While a message is still being processed, its visibility is set to <see cref="VisibilityTimeout"/> again this often,
    /// so long work is not redelivered. Default: 10 s (more than zero, less than <see cref="VisibilityTimeout"/>).
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After the processor fails a message: null leaves it for redelivery when its visibility timeout ends; a value makes
    /// it visible again after that long (0 = at once). Whole seconds, up to 12 h. Default: null.
    /// </summary>
    public TimeSpan? FailureBackoff { get; set; }

    /// <summary>Pause of a poller after a failed receive (queue missing, endpoint down, bad credentials). Default: 1 s.</summary>
    public TimeSpan ReceiveErrorBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the queue's attributes are read for health. Default: 15 s.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The resource name in reports, stats and health (also the actor name). Default: "sqs".</summary>
    public string ResourceName { get; set; } = "sqs";

    /// <summary>This poller's drain deadline; null uses the coordinator's MaintenanceOptions.DrainTimeout. Default: null.</summary>
    public TimeSpan? DrainTimeout { get; set; }

    /// <summary>The longest visibility timeout SQS accepts.</summary>
    public static readonly TimeSpan MaxVisibility = TimeSpan.FromHours(12);

    /// <summary>Throws <see cref="MaintenanceConfigurationException"/> naming the first field that cannot work and what to do.</summary>
    public void Validate(string section = "Maintenance:Sqs")
    {
        if (!Uri.TryCreate(QueueUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new MaintenanceConfigurationException($"{section}:QueueUrl",
                $"must be an absolute http(s) queue URL (e.g. https://sqs.us-east-1.amazonaws.com/123456789012/orders), but was '{QueueUrl}'");
        }
        if (Pollers is < 1 or > 64)
        {
            throw new MaintenanceConfigurationException($"{section}:Pollers", $"must be between 1 and 64, but was {Pollers}");
        }
        if (BatchSize is < 1 or > 10)
        {
            throw new MaintenanceConfigurationException($"{section}:BatchSize", $"must be between 1 and 10 (the SQS limit), but was {BatchSize}");
        }
        CheckSeconds(section, nameof(WaitTime), WaitTime, TimeSpan.Zero, TimeSpan.FromSeconds(20), "0 to 20 s (e.g. 00:00:20)");
        CheckSeconds(section, nameof(VisibilityTimeout), VisibilityTimeout, TimeSpan.FromSeconds(1), MaxVisibility, "1 s to 12 h (e.g. 00:00:30)");
        if (HeartbeatInterval <= TimeSpan.Zero || HeartbeatInterval >= VisibilityTimeout)
        {
            throw new MaintenanceConfigurationException($"{section}:HeartbeatInterval",
                $"must be more than zero and less than VisibilityTimeout ({VisibilityTimeout}), e.g. a third of it, but was {HeartbeatInterval}");
        }
        if (FailureBackoff is { } backoff)
        {
            CheckSeconds(section, nameof(FailureBackoff), backoff, TimeSpan.Zero, MaxVisibility, "0 s to 12 h, or null to leave a failed message for redelivery");
        }
        if (ReceiveErrorBackoff <= TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:ReceiveErrorBackoff", $"must be positive (e.g. 00:00:01), but was {ReceiveErrorBackoff}");
        }
        if (HealthCheckInterval <= TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:HealthCheckInterval", $"must be positive (e.g. 00:00:15), but was {HealthCheckInterval}");
        }
        if (string.IsNullOrWhiteSpace(ResourceName))
        {
            throw new MaintenanceConfigurationException($"{section}:ResourceName", "must not be empty (e.g. sqs)");
        }
        if (DrainTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:DrainTimeout", "must be positive (e.g. 00:00:30), or null for the coordinator's default");
        }
    }

    private static void CheckSeconds(string section, string field, TimeSpan value, TimeSpan min, TimeSpan max, string range)
    {
        if (value < min || value > max || value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new MaintenanceConfigurationException($"{section}:{field}", $"must be whole seconds from {range}, but was {value}");
        }
    }
}
