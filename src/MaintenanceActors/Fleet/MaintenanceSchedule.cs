namespace MaintenanceActors;

/// <summary>Scheduled maintenance windows carried by a maintenance value: one-off windows and weekly recurring ones.</summary>
/// <remarks>Maintenance is on while the clock is inside any window; <see cref="Evaluate"/> also says when that next changes.</remarks>
public sealed record MaintenanceSchedule(IReadOnlyList<MaintenanceWindow> Windows, IReadOnlyList<WeeklyWindow> Weekly)
{
    /// <summary>Whether <paramref name="now"/> is inside a window, when that window ends, and the next moment the answer changes (null: never).</summary>
    public ScheduleState Evaluate(DateTimeOffset now)
    {
        var intervals = Intervals(now);
        foreach (var (start, end) in intervals)
        {
            if (start <= now && now < end)
            {
                return new ScheduleState(true, end, end);
            }
        }
        DateTimeOffset? next = null;
        foreach (var (start, _) in intervals)
        {
            if (start > now && (next is null || start < next))
            {
                next = start;
            }
        }
        return new ScheduleState(false, null, next);
    }

    // Every window that can matter around now, merged where they overlap or touch, so "active until" is the end of the whole stretch.
    private List<(DateTimeOffset Start, DateTimeOffset End)> Intervals(DateTimeOffset now)
    {
        var all = Windows.Select(w => (w.Start, w.End)).ToList();
        foreach (var weekly in Weekly)
        {
            all.AddRange(weekly.Occurrences(now));
        }
        all.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var interval in all)
        {
            if (merged.Count > 0 && interval.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, interval.End > merged[^1].End ? interval.End : merged[^1].End);
            }
            else
            {
                merged.Add(interval);
            }
        }
        return merged;
    }
}

/// <summary>What a <see cref="MaintenanceSchedule"/> says at one moment.</summary>
/// <param name="Active">True inside a window.</param>
/// <param name="ActiveUntil">When the current window (with any window overlapping it) ends; null outside a window.</param>
/// <param name="NextChange">The next moment <see cref="Active"/> changes; null when no window lies ahead.</param>
public sealed record ScheduleState(bool Active, DateTimeOffset? ActiveUntil, DateTimeOffset? NextChange);

/// <summary>A one-off window: maintenance from <paramref name="Start"/> (inclusive) to <paramref name="End"/> (exclusive).</summary>
public sealed record MaintenanceWindow(DateTimeOffset Start, DateTimeOffset End);

/// <summary>A weekly window: on each of <paramref name="Days"/>, from <paramref name="Start"/> to <paramref name="End"/> local time in <paramref name="TimeZone"/>.</summary>
/// <remarks>An end before the start runs past midnight into the next day. A start inside a daylight-saving gap moves to the gap's end.</remarks>
public sealed record WeeklyWindow(IReadOnlyList<DayOfWeek> Days, TimeOnly Start, TimeOnly End, TimeZoneInfo TimeZone)
{
    internal IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Occurrences(DateTimeOffset around)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(around, TimeZone).DateTime);
        // From two days back (a window that began yesterday may still run) to eight ahead (the next one is at most a week away).
        for (var offset = -2; offset <= 8; offset++)
        {
            var day = today.AddDays(offset);
            if (!Days.Contains(day.DayOfWeek))
            {
                continue;
            }
            var start = ToUtc(day.ToDateTime(Start));
            var end = ToUtc((End > Start ? day : day.AddDays(1)).ToDateTime(End));
            if (end > start)
            {
                yield return (start, end);
            }
        }
    }

    private DateTimeOffset ToUtc(DateTime local)
    {
        while (TimeZone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }
        return new DateTimeOffset(local, TimeZone.GetUtcOffset(local)).ToUniversalTime();
    }
}
