using System.Text;

namespace MaintenanceActors.Drills.Core;

/// <summary>A markdown table, padded so it also reads well in a terminal.</summary>
internal sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> _rows = new();

    public MarkdownTable Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"A row needs {headers.Length} cells, got {cells.Length}.", nameof(cells));
        }
        _rows.Add(cells);
        return this;
    }

    public string Render()
    {
        var widths = headers.Select((h, i) => Math.Max(3, _rows.Select(r => r[i].Length).Append(h.Length).Max())).ToArray();
        var text = new StringBuilder();
        Line(text, headers, widths);
        text.Append('|');
        foreach (var width in widths)
        {
            text.Append(new string('-', width + 2)).Append('|');
        }
        text.AppendLine();
        foreach (var row in _rows)
        {
            Line(text, row, widths);
        }
        return text.ToString();
    }

    private static void Line(StringBuilder text, string[] cells, int[] widths)
    {
        text.Append('|');
        for (var i = 0; i < cells.Length; i++)
        {
            text.Append(' ').Append(cells[i].PadRight(widths[i])).Append(" |");
        }
        text.AppendLine();
    }
}
