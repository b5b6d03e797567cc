namespace MaintenanceActors.Drills.Core;

/// <summary>A target and whether the run met it.</summary>
internal sealed record TargetCheck(string Target, string Measured, bool Met)
{
    public string Verdict => Met ? "PASS" : "MISS";
}

/// <summary>What a drill prints: its measurements as a markdown table and its targets.</summary>
internal sealed record DrillReport(string Drill, MarkdownTable Table, IReadOnlyList<TargetCheck> Targets, IReadOnlyList<string> Notes)
{
    public string Render()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine($"### {Drill}").AppendLine();
        text.Append(Table.Render()).AppendLine();
        foreach (var target in Targets)
        {
            text.AppendLine($"Target ({Drill}): {target.Target} — measured {target.Measured} — **{target.Verdict}**");
        }
        foreach (var note in Notes)
        {
            text.AppendLine().AppendLine(note);
        }
        return text.ToString();
    }
}
