namespace MaintenanceActors.Drills.Core;

/// <summary>Lets a synchronously disposed resource (an etcd client) sit in a rig's list of things to dispose in reverse order.</summary>
internal sealed class OwnedDisposable(IDisposable owned) : IAsyncDisposable
{
    public ValueTask DisposeAsync()
    {
        owned.Dispose();
        return ValueTask.CompletedTask;
    }
}
