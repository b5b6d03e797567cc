namespace MaintenanceActors.Etcd.Tests;

/// <summary>Waits for a condition the client reaches on its own schedule (a keep-alive renewal), failing once the patience runs out.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the condition should hold within {0}", patience);
            await Task.Delay(50);
        }
    }
}
