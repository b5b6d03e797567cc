namespace MaintenanceActors.AspNetCore.Tests.Fixtures;

/// <summary>Polls a condition until it holds or a generous deadline passes (no fixed sleeps).</summary>
internal static class Eventually
{
    public static async Task<bool> HoldsAsync(Func<bool> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        for (int attempt = 0; !condition(); attempt++)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            // Cheap yields first (most conditions hold within microseconds), then back off to short waits.
            if (attempt < 50)
            {
                await Task.Yield();
            }
            else
            {
                await Task.Delay(2);
            }
        }

        return true;
    }
}
