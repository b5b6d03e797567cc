using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;

namespace MaintenanceActors.Benchmarks;

/// <summary>The issue targets decided by these benchmarks, each computed from numbers of the same run.</summary>
internal static class Targets
{
    public static string Render(IReadOnlyList<Summary> summaries)
    {
        var reports = summaries.SelectMany(s => s.Reports)
            .Where(r => r.ResultStatistics is not null)
            .ToDictionary(r => $"{r.BenchmarkCase.Descriptor.Type.Name}.{r.BenchmarkCase.Descriptor.WorkloadMethod.Name}{(r.BenchmarkCase.HasParameters ? $"({r.BenchmarkCase.Parameters.DisplayInfo})" : "")}");
        var text = new StringBuilder("### BenchmarkDotNet targets\n\n");

        // Throughput is the inverse of time per message, so "Akka ≥ 0.5 × raw throughput" is "Akka ns/msg ≤ 2 × floor ns/msg".
        if (Mean(reports, "PingPongBenchmarks.AkkaTell") is { } akka
            && new[] { ("RawChannel", Mean(reports, "PingPongBenchmarks.RawChannel")), ("RawValueTaskSource", Mean(reports, "PingPongBenchmarks.RawValueTaskSource")) }
                .Where(r => r.Item2 is not null).MinBy(r => r.Item2) is ({ } floorName, { } floor))
        {
            var ratio = floor / akka;
            Line(text, "Akka tell ping-pong throughput ≥ 0.5 × the fastest raw hand-off (same run)",
                $"{Ns(akka)} ns/msg vs floor {floorName} {Ns(floor)} ns/msg = {Ratio(ratio)} × raw throughput", ratio >= 0.5);
        }
        // The Ask target is judged once, by the ask-latency drill (100,000 individually timed requests: mean, p50, p99);
        // this mean, measured the same way (sequential awaited round trips), is printed beside it.
        if (reports.TryGetValue("AskBenchmarks.AkkaAsk", out var ask))
        {
            var raw = Mean(reports, "AskBenchmarks.RawRequestReply");
            text.Append("For information (the Ask target is judged by the ask-latency drill): Akka Ask round trip mean ")
                .Append(Us(ask.ResultStatistics!.Mean)).Append(" µs, median ").Append(Us(ask.ResultStatistics.Median)).Append(" µs")
                .Append(raw is { } r ? $"; raw request/reply mean {Us(r)} µs" : "").AppendLine();
        }
        foreach (var method in new[] { "GatedRequest", "SkippedPath" })
        {
            if (reports.TryGetValue($"MiddlewareBenchmarks.{method}", out var report))
            {
                var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
                Line(text, $"middleware {method}: 0 B allocated per request",
                    bytes is { } b ? $"{b} B ({Ns(report.ResultStatistics!.Mean)} ns)" : "not measured", bytes == 0);
            }
        }
        if (reports.TryGetValue("ExecuteWithFailoverBenchmarks.ExecuteWithFailover", out var failover)
            && reports.TryGetValue("ExecuteWithFailoverBenchmarks.DirectCall", out var direct))
        {
            var extraNs = failover.ResultStatistics!.Mean - direct.ResultStatistics!.Mean;
            var extraBytes = failover.GcStats.GetBytesAllocatedPerOperation(failover.BenchmarkCase) - direct.GcStats.GetBytesAllocatedPerOperation(direct.BenchmarkCase);
            var polly = Mean(reports, "ExecuteWithFailoverBenchmarks.BarePolly");
            Line(text, "ExecuteWithFailover overhead over calling fn directly ≤ 2 µs and ≤ 200 B per call",
                $"+{Ns(extraNs)} ns, +{extraBytes} B{(polly is { } p ? $" (bare Polly retry pipeline: {Ns(p)} ns)" : "")}", extraNs <= 2000 && extraBytes <= 200);
        }
        foreach (var report in reports.Values.Where(r => r.BenchmarkCase.Descriptor.Type.Name == "SelectionBenchmarks").OrderBy(r => r.BenchmarkCase.Parameters.DisplayInfo))
        {
            var mean = report.ResultStatistics!.Mean;
            var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
            Line(text, $"endpoint selection among 100 endpoints ≤ 200 ns, 0 B ({report.BenchmarkCase.Parameters.DisplayInfo})",
                $"{Ns(mean)} ns, {bytes} B", mean <= 200 && bytes == 0);
        }
        return text.ToString();
    }

    private static double? Mean(Dictionary<string, BenchmarkReport> reports, string name) =>
        reports.TryGetValue(name, out var report) ? report.ResultStatistics!.Mean : null;

    private static void Line(StringBuilder text, string target, string measured, bool met) =>
        text.Append("Target (BenchmarkDotNet): ").Append(target).Append(" — measured ").Append(measured).Append(" — **").Append(met ? "PASS" : "MISS").AppendLine("**");

    private static string Ns(double ns) => ns.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Us(double ns) => (ns / 1000).ToString("0.000", CultureInfo.InvariantCulture);

    private static string Ratio(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture);
}
