namespace MaintenanceActors.Testing;

/// <summary>Polls a condition until it holds or a generous deadline passes (no fixed sleeps): the specs' one polling helper.</summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(2);

    public static Task<bool> HoldsAsync(Func<bool> condition, TimeSpan? within = null) =>
        HoldsAsync(() => Task.FromResult(condition()), within);

    public static async Task<bool> HoldsAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? DefaultWithin);
        for (int attempt = 0; !await condition(); attempt++)
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
                await Task.Delay(Backoff);
            }
        }

        return true;
    }
}
