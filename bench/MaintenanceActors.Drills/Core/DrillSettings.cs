namespace MaintenanceActors.Drills.Core;

/// <summary>Run sizes; <see cref="Quick"/> shrinks every drill to a smoke run that only proves it works.</summary>
internal sealed record DrillSettings(bool Quick)
{
    /// <summary>Picks the full or the quick size.</summary>
    public int Size(int full, int quick) => Quick ? quick : full;

    /// <summary>How long to wait for any single event before the drill counts as broken.</summary>
    public static TimeSpan EventTimeout => TimeSpan.FromSeconds(15);
}
