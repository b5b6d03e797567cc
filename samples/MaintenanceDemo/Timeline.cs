namespace MaintenanceDemo;

/// <summary>Samples the traffic every half second and keeps the demo's events beside it.</summary>
internal sealed class Timeline(TrafficRecorder recorder)
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(500);
    private readonly List<(TimeSpan At, string Text)> marks = [];
    private readonly List<(TimeSpan At, int InFlight)> samples = [];

    public void Mark(string text) => marks.Add((recorder.Elapsed, text));

    public async Task WaitAsync(TimeSpan duration)
    {
        var until = recorder.Elapsed + duration;
        while (recorder.Elapsed < until)
        {
            var next = TimeSpan.FromTicks(Math.Min(Step.Ticks, (until - recorder.Elapsed).Ticks));
            await Task.Delay(next);
            samples.Add((recorder.Elapsed, recorder.InFlight));
        }
    }

    public void Print()
    {
        var all = recorder.All;
        Console.WriteLine("   time │ served 200 │ refused 503 │ failed │ in flight │ event");
        Console.WriteLine("────────┼────────────┼─────────────┼────────┼───────────┼──────────────────────────────");
        var from = TimeSpan.Zero;
        var rows = samples.Select(s => (s.At, Text: (string?)null, s.InFlight))
            .Concat(marks.Select(m => (m.At, Text: (string?)m.Text, InFlight: -1)))
            .OrderBy(r => r.At);
        foreach (var row in rows)
        {
            if (row.Text is not null)
            {
                Console.WriteLine($"{row.At.TotalSeconds,6:F2}s │{"",12}│{"",13}│{"",8}│{"",11}│ ▶ {row.Text}");
                continue;
            }
            var done = all.Where(r => r.End > from && r.End <= row.At).ToArray();
            Console.WriteLine(
                $"{row.At.TotalSeconds,6:F2}s │ {done.Count(r => r.Status is 200 or 201),10} │ {done.Count(r => r.Status == 503),11} │ " +
                $"{done.Count(r => r.Status is not (200 or 201 or 503)),6} │ {row.InFlight,9} │");
            from = row.At;
        }
        Console.WriteLine();
    }
}
