using MaintenanceActors.Etcd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Dashboard.Watch;

/// <summary>
/// The dashboard's ONE etcd watch: reads every key under the common prefix of the maintenance and status prefixes, then watches
/// from that read's revision + 1; after a lost connection it watches again from the last seen revision + 1 (with backoff), and
/// after a compaction it reads everything again. Pages are fed from <see cref="FleetState"/>; nothing polls.
/// </summary>
internal sealed partial class FleetWatch(IEtcdWatchBackend backend, FleetState state, DashboardOptions options, ILogger<FleetWatch> logger)
    : BackgroundService
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var prefix = options.WatchPrefix;
        long nextRevision = 0; // 0 = read everything first
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (nextRevision == 0)
                {
                    var snapshot = await backend.ReadAsync(prefix, prefix: true, stoppingToken).ConfigureAwait(false);
                    state.Reset(snapshot.Revision, snapshot.Entries.Select(e => (e.Key, e.Value, e.ModRevision)));
                    nextRevision = snapshot.Revision + 1;
                    LogRead(logger, prefix, snapshot.Entries.Count, snapshot.Revision);
                }
                await foreach (var batch in backend.WatchAsync(prefix, prefix: true, nextRevision, progressNotify: true, stoppingToken).ConfigureAwait(false))
                {
                    if (batch.CompactRevision > 0)
                    {
                        LogCompacted(logger, nextRevision, batch.CompactRevision);
                        nextRevision = 0;
                        break;
                    }
                    failures = 0;
                    state.Connected(batch.HeaderRevision);
                    foreach (var change in batch.Changes)
                    {
                        state.Apply(change.Key, change.Value, change.ModRevision);
                        nextRevision = Math.Max(nextRevision, change.ModRevision + 1);
                    }
                    if (batch.Progress && batch.HeaderRevision > 0)
                    {
                        nextRevision = Math.Max(nextRevision, batch.HeaderRevision + 1);
                    }
                }
                if (nextRevision == 0)
                {
                    continue; // compacted: read again at once
                }
                throw new EtcdException("etcd ended the watch stream");
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                state.Disconnected(ex.Message);
                var delay = Backoff(failures);
                LogLost(logger, ex.Message, nextRevision, delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return; // stopping: whatever the cancelled call threw is not a failure
            }
        }
    }

    private static TimeSpan Backoff(int failures)
    {
        var exponential = MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 10));
        var capped = Math.Min(exponential, MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + Random.Shared.NextDouble() * 0.4));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "dashboard read {Count} keys under {Prefix} at revision {Revision}")]
    private static partial void LogRead(ILogger logger, string prefix, int count, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dashboard watch from revision {Revision} was compacted (at {CompactRevision}); reading again")]
    private static partial void LogCompacted(ILogger logger, long revision, long compactRevision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dashboard lost etcd ({Error}); resuming from revision {Revision} in {DelayMs:0} ms")]
    private static partial void LogLost(ILogger logger, string error, long revision, double delayMs);
}
