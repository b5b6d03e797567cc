namespace MaintenanceActors;

/// <summary>A file whose content is the maintenance value (same words and JSON as etcd).</summary>
public sealed class FileSourceOptions
{
    /// <summary>The file to watch; a missing file means off. Required.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>Name of this source in events, status and health (default "file").</summary>
    public string SourceName { get; set; } = "file";

    /// <summary>How often the file is polled in case file-system notifications are missed (default 1 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Use FileSystemWatcher in addition to polling (default true).</summary>
    public bool UseFileSystemWatcher { get; set; } = true;

    /// <summary>Checks every field; throws <see cref="MaintenanceConfigurationException"/> naming the first bad one.</summary>
    public void Validate(string section = "Maintenance:File")
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new MaintenanceConfigurationException($"{section}:Path", "must name the maintenance file (e.g. /var/run/my-service/maintenance)");
        }
        if (string.IsNullOrWhiteSpace(SourceName))
        {
            throw new MaintenanceConfigurationException($"{section}:SourceName", "must not be empty (e.g. file)");
        }
        MaintenanceOptions.Positive(PollInterval, $"{section}:PollInterval", "e.g. 00:00:01");
    }
}
