namespace MaintenanceActors.EntityFrameworkCore.Tests.Support;

/// <summary>Polls a condition until it holds or a generous deadline passes (no fixed sleeps).</summary>
internal static class Eventually
{
    public static async Task<bool> HoldsAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(10);
        }
        return true;
    }

    public static Task<bool> HoldsAsync(Func<bool> condition, TimeSpan? within = null) =>
        HoldsAsync(() => Task.FromResult(condition()), within);
}
