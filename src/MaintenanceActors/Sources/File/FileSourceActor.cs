using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors;

/// <summary>Publishes the maintenance value held in a file (same words and JSON as etcd); a missing file means off.</summary>
/// <remarks>FileSystemWatcher gives quick notice; a poll on the system's TimeProvider catches anything it misses.</remarks>
internal sealed class FileSourceActor : MaintenanceSourceActor, IWithTimers
{
    private static readonly object PollTimer = new();

    private readonly FileSourceOptions _options;
    private FileSystemWatcher? _watcher;
    private string? _lastContent;
    private bool _read;
    private long _changes; // labels warnings: "revision" n is the n-th content this actor read

    public FileSourceActor(FileSourceOptions options)
    {
        _options = options;
        Receive<CheckFile>(_ => Check());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override string SourceName => _options.SourceName;

    private string FullPath => Path.GetFullPath(_options.Path);

    protected override void PreStart()
    {
        base.PreStart();
        // Watch before the first read, so a change made right after the first value is published is noticed.
        if (_options.UseFileSystemWatcher)
        {
            TryWatch();
        }
        Check();
        Timers.StartPeriodicTimer(PollTimer, CheckFile.Instance, _options.PollInterval);
    }

    protected override void PostStop() => _watcher?.Dispose();

    private void TryWatch()
    {
        try
        {
            var directory = Path.GetDirectoryName(FullPath)!;
            if (!Directory.Exists(directory))
            {
                return; // polling covers a directory that appears later
            }
            var self = Self;
            _watcher = new FileSystemWatcher(directory, Path.GetFileName(FullPath))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            FileSystemEventHandler onChange = (_, _) => self.Tell(CheckFile.Instance, self);
            _watcher.Changed += onChange;
            _watcher.Created += onChange;
            _watcher.Deleted += onChange;
            _watcher.Renamed += (_, _) => self.Tell(CheckFile.Instance, self);
            _watcher.Error += (_, _) => self.Tell(CheckFile.Instance, self);
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            Log.LogWarning(ex, "Source {Source} cannot watch {Path}; relying on polling every {Interval}", SourceName, FullPath, _options.PollInterval);
            _watcher?.Dispose();
            _watcher = null;
        }
    }

    private void Check()
    {
        string content;
        try
        {
            content = File.Exists(FullPath) ? File.ReadAllText(FullPath) : string.Empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Kept the last known state: a file being replaced or unreadable for a moment must not flip maintenance.
            ReportHealth(false, $"{ex.GetType().Name}: {ex.Message}", lastRevision: RevisionOf(FullPath));
            return;
        }
        if (_read && content == _lastContent)
        {
            ReportHealth(true, lastRevision: RevisionOf(FullPath));
            return;
        }
        _read = true;
        _lastContent = content;
        var value = MaintenanceValueParser.Parse(content, FullPath, ++_changes);
        PublishState(FullPath, value);
        ReportHealth(true, warnings: value.Warning is null ? null : new[] { value.Warning }, lastRevision: RevisionOf(FullPath));
    }

    private sealed class CheckFile
    {
        public static readonly CheckFile Instance = new();
    }
}
