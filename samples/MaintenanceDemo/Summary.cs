namespace MaintenanceDemo;

/// <summary>The demo's closing summary: what maintenance did to the traffic.</summary>
internal static class Summary
{
    public static void Print(TrafficRecorder recorder, TimeSpan enterAt, TimeSpan exitAt, RequestRecord? longRequest, string? refusal)
    {
        var all = recorder.All;
        var caught = recorder.InFlightAt(enterAt);
        var caughtServed = caught.Count(r => r.Status is 200 or 201);
        var caughtRefused = caught.Count(r => r.Status == 503);
        var drainedAt = caught.Where(r => r.Status is 200 or 201).Select(r => r.End!.Value).DefaultIfEmpty(enterAt).Max();
        var firstRefusal = all.Where(r => r.Status == 503 && r.End >= enterAt).Select(r => r.End!.Value).DefaultIfEmpty().Min();
        var firstServedAfterExit = all.Where(r => r.Start >= exitAt && r.Status is 200 or 201).Select(r => r.End!.Value).DefaultIfEmpty().Min();

        Console.WriteLine("Summary");
        Console.WriteLine($"  requests sent ............................ {all.Count}");
        Console.WriteLine($"  served (200) ............................. {all.Count(r => r.Status is 200 or 201)}");
        Console.WriteLine($"  refused cleanly (503 + Retry-After) ...... {all.Count(r => r.Status == 503)}");
        Console.WriteLine($"  failed or lost ........................... {recorder.Lost}");
        Console.WriteLine($"  in flight when the put returned .......... {caught.Count}: {caughtServed} finished normally, {caughtRefused} had not reached the service yet and were refused");
        if (longRequest is not null)
        {
            Console.WriteLine($"  a long request caught by the put ......... started {Ms(enterAt - longRequest.Start)} before it, "
                + (longRequest.Status is 200 or 201 ? $"finished 200 {Ms(longRequest.End!.Value - enterAt)} after it (drained, not cut)" : $"ended with {longRequest.Status}"));
        }
        Console.WriteLine($"  first 503 after the etcd put ............. {Ms(firstRefusal - enterAt)}");
        Console.WriteLine($"  drain (put → last caught request served) {Ms(drainedAt - enterAt)}");
        Console.WriteLine($"  first 200 after maintenance was cleared .. {Ms(firstServedAfterExit - exitAt)}");
        if (refusal is not null)
        {
            Console.WriteLine($"  what a refused client saw ................ {refusal}");
        }
        Console.WriteLine(recorder.Lost == 0 && longRequest is { Status: 200 or 201 }
            ? "  ✔ no request was lost: every request either finished or was refused before it started."
            : recorder.Lost > 0 ? "  ✘ some requests were lost (see above)." : "  ✘ no long request was drained (see above).");
    }

    private static string Ms(TimeSpan t) => t < TimeSpan.Zero ? "n/a" : $"{t.TotalMilliseconds:F0} ms";
}
