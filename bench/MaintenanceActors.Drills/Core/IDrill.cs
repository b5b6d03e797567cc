namespace MaintenanceActors.Drills.Core;

/// <summary>One end-to-end measurement: starts what it needs, measures, and reports a table and its targets.</summary>
internal interface IDrill
{
    /// <summary>The command-line name, e.g. watch-latency.</summary>
    string Name { get; }

    /// <summary>One line: what is measured and which issue it answers.</summary>
    string Description { get; }

    /// <summary>Runs the drill; throws when it could not run (a missed target is a result, not an error).</summary>
    Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken);
}
