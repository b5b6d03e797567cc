using System.Diagnostics;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Drills.Etcd;

/// <summary>The one way drills write the maintenance key, so every latency starts from the same instant.</summary>
internal static class TimedPut
{
    /// <summary>Writes "true"/"false"; returns the revision and the timestamp taken just before the write was sent.</summary>
    public static async Task<(long Revision, long SentAt)> PutAsync(EtcdTestWriter writer, string key, bool enabled, CancellationToken cancellationToken)
    {
        var sentAt = Stopwatch.GetTimestamp();
        var revision = await writer.PutAsync(key, enabled ? "true" : "false", cancellationToken).ConfigureAwait(false);
        return (revision, sentAt);
    }
}
