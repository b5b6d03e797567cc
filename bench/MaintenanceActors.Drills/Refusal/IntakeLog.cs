using System.Diagnostics;

namespace MaintenanceActors.Drills.Refusal;

/// <summary>Stamps the moment the last of N resources stopped intake (from then on every resource refuses new work).</summary>
internal sealed class IntakeLog
{
    private int _remaining;
    private TaskCompletionSource<long> _allStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Expects <paramref name="resources"/> StopIntake calls; the task gives the timestamp of the last one.</summary>
    public Task<long> Arm(int resources)
    {
        var signal = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _allStopped, signal);
        Volatile.Write(ref _remaining, resources);
        return signal.Task;
    }

    /// <summary>Called from a resource's StopIntake.</summary>
    public void Stopped()
    {
        var now = Stopwatch.GetTimestamp();
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Volatile.Read(ref _allStopped).TrySetResult(now);
        }
    }
}
