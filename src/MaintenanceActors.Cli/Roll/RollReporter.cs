using System.Text.Json;
using MaintenanceActors.Cli.Output;

namespace MaintenanceActors.Cli.Roll;

/// <summary>One thing that happened in a roll, printed as a line (text) or a JSON object per line (<c>--output json</c>).</summary>
internal sealed record RollEvent(string Event, string? Instance, string Message, long? Revision = null, int? SlotsInUse = null, long? DurationMs = null);

/// <summary>Prints roll events as they happen; safe to call from the roll's parallel steps.</summary>
internal sealed class RollReporter(CliIo io, bool json)
{
    private readonly object _gate = new();

    public void Report(RollEvent e)
    {
        string line;
        if (json)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                w.WriteString("time", Durations.Time(io.Time.GetUtcNow()));
                w.WriteString("event", e.Event);
                w.WriteString("instance", e.Instance);
                w.WriteString("message", e.Message);
                if (e.Revision is { } r) w.WriteNumber("revision", r);
                if (e.SlotsInUse is { } s) w.WriteNumber("slotsInUse", s);
                if (e.DurationMs is { } d) w.WriteNumber("durationMs", d);
                w.WriteEndObject();
            }
            line = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        }
        else
        {
            line = e.Instance is null ? e.Message : $"{e.Instance,-16} {e.Message}";
        }
        lock (_gate)
        {
            io.Output.WriteLine(line);
            io.Output.Flush();
        }
    }
}
