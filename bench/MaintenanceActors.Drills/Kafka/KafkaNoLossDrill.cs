using System.Globalization;
using Akka.Actor;
using MaintenanceActors.Kafka;
using MaintenanceActors.Drills.Core;

namespace MaintenanceActors.Drills.Kafka;

/// <summary>
/// Issue 9: 100,000 records through two KafkaConsumerActors in one group with 20 maintenance toggles and one rebalance (the
/// second member joins half-way, while the records flow): every record must be processed (0 lost); records processed twice
/// are counted and reported (a rebalance may force them for records whose commit the broker refused mid-rebalance).
/// </summary>
internal sealed class KafkaNoLossDrill : IDrill
{
    public string Name => "kafka-no-loss";

    public string Description => "100,000 records, 20 toggles, 1 rebalance: lost and duplicated records (issue 9)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var count = settings.Size(100_000, 10_000);
        const int Toggles = 20;
        await using var rig = new KafkaRig();
        var topic = rig.Cluster.CreateTopic(KafkaRig.Partitions, "noloss");
        var group = rig.Cluster.NewGroup("noloss");
        rig.Cluster.Produce(topic, count);
        var processor = new CountingProcessor(remember: true);
        var options = KafkaRig.Options(rig.Cluster, topic, group);
        options.CommitInterval = TimeSpan.FromMilliseconds(200);
        var (a, stateA) = rig.Start(options, processor);
        await rig.ResumeAsync(a).ConfigureAwait(false);
        var members = new List<IActorRef> { a };
        var drained = 0;
        var timedOut = 0;
        KafkaConsumerState? b = null;
        for (var toggle = 1; toggle <= Toggles; toggle++)
        {
            var target = (long)toggle * count / (Toggles + 2);
            await KafkaRig.UntilAsync(() => processor.Seen.Count >= target, TimeSpan.FromMinutes(2), $"{target} records").ConfigureAwait(false);
            if (toggle == Toggles / 2)
            {
                var (second, stateB) = rig.Start(options, processor);
                await rig.ResumeAsync(second).ConfigureAwait(false);
                members.Add(second);
                b = stateB;
            }
            var drains = await Task.WhenAll(members.Select(m => rig.EnterAsync(m))).ConfigureAwait(false);
            drained += drains.Count(d => d.Outcome == DrainOutcome.Drained);
            timedOut += drains.Count(d => d.Outcome != DrainOutcome.Drained);
            foreach (var member in members)
            {
                await rig.ResumeAsync(member).ConfigureAwait(false);
            }
        }
        await KafkaRig.UntilAsync(() => processor.Seen.Count >= count, TimeSpan.FromMinutes(2), "every record").ConfigureAwait(false);
        var lost = count - processor.Seen.Count;
        var duplicates = processor.Seen.Values.Sum(n => n - 1);
        var rebalances = stateA.Snapshot("a").Rebalances;
        var table = new MarkdownTable("records", "toggles", "drains Drained / other", "rebalance events (first member)", "second member received", "commits refused", "lost", "duplicates")
            .Add(count.ToString(CultureInfo.InvariantCulture), Toggles.ToString(CultureInfo.InvariantCulture), $"{drained} / {timedOut}",
                rebalances.ToString(CultureInfo.InvariantCulture), (b?.Received ?? 0).ToString(CultureInfo.InvariantCulture),
                (stateA.Snapshot("a").CommitErrors + (b?.Snapshot("b").CommitErrors ?? 0)).ToString(CultureInfo.InvariantCulture),
                lost.ToString(CultureInfo.InvariantCulture), duplicates.ToString(CultureInfo.InvariantCulture));
        return new DrillReport(Name, table,
            [new TargetCheck("0 records lost", lost.ToString(CultureInfo.InvariantCulture), lost == 0)],
            [$"Two KafkaConsumerActors in one group on librdkafka's mock cluster, no-op processor, commits every 200 ms; the second member "
             + $"joins at toggle {Toggles / 2} (eager range assignment: every partition is revoked and assigned again). Duplicates are records "
             + "processed twice: finished after the last commit the broker accepted before a partition moved (the mock refuses commits "
             + "while the group rebalances, including the one made when partitions are revoked, so up to a commit interval of records is redone)."]);
    }
}
