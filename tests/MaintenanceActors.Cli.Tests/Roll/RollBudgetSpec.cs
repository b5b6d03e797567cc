using MaintenanceActors.Cli.Etcd;
using MaintenanceActors.Cli.Fleet;
using MaintenanceActors.Cli.Roll;
using MaintenanceActors.Cli.Tests.Support;

namespace MaintenanceActors.Cli.Tests.Roll;

[Collection(EtcdCollection.Name)]
public sealed class RollBudgetSpec(SharedEtcd etcd)
{
    private FleetEtcd Connect() => FleetEtcd.Connect(EtcdSettings.From(_ => null, etcd.Endpoint, null, null, null, null, null, "10s"));

    [Fact]
    public async Task Must_never_hand_out_more_slots_than_the_limit_to_concurrent_takers_on_separate_connections()
    {
        var service = SharedEtcd.NewService("budget");
        const int Takers = 8;
        var clients = Enumerable.Range(0, Takers).Select(_ => Connect()).ToArray();
        try
        {
            for (var round = 0; round < 5; round++)
            {
                // Each taker holds its own lease, as separate maintctl processes would.
                var budgets = new List<RollBudget>();
                var leases = new List<long>();
                foreach (var client in clients)
                {
                    var lease = await client.GrantLeaseAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
                    leases.Add(lease);
                    budgets.Add(new RollBudget(client, service, lease));
                }
                using var start = new ManualResetEventSlim();
                var attempts = budgets.Select((b, i) => Task.Run(async () =>
                {
                    start.Wait();
                    // Retry races as the roll does, until the slot is taken or the budget is full.
                    while (true)
                    {
                        var (outcome, _, _) = await b.TryTakeAsync($"{service}-{round}-{i}", 2, "{}", "true", CancellationToken.None);
                        if (outcome != SlotOutcome.Raced) return outcome;
                    }
                })).ToArray();
                start.Set();
                var outcomes = await Task.WhenAll(attempts);

                outcomes.Count(o => o == SlotOutcome.Taken).Should().Be(2, $"round {round}: {string.Join(",", outcomes)}");
                outcomes.Count(o => o == SlotOutcome.Full).Should().Be(Takers - 2);
                var slots = await clients[0].GetAsync(FleetKeys.SlotsOf(service), prefix: true, CancellationToken.None);
                slots.Items.Should().HaveCount(2);
                for (var i = 0; i < Takers; i++)
                {
                    await budgets[i].ReleaseAsync($"{service}-{round}-{i}", CancellationToken.None);
                    await clients[i].RevokeLeaseAsync(leases[i], CancellationToken.None);
                }
            }
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    [Fact]
    public async Task Must_write_the_instance_key_in_the_same_transaction_and_free_the_slot_with_the_lease()
    {
        var service = SharedEtcd.NewService("lease");
        using var client = Connect();
        var lease = await client.GrantLeaseAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        var budget = new RollBudget(client, service, lease);

        var (outcome, revision, inUse) = await budget.TryTakeAsync($"{service}-1", 1, "{}", """{"enabled":true}""", CancellationToken.None);
        var again = await budget.TryTakeAsync($"{service}-1", 5, "{}", """{"enabled":true}""", CancellationToken.None);
        var other = await budget.TryTakeAsync($"{service}-2", 1, "{}", """{"enabled":true}""", CancellationToken.None);

        outcome.Should().Be(SlotOutcome.Taken);
        inUse.Should().Be(1);
        var key = await client.GetAsync(FleetKeys.Instance(service, $"{service}-1"), prefix: false, CancellationToken.None);
        key.Items.Single().ModRevision.Should().Be(revision);
        again.Outcome.Should().Be(SlotOutcome.HeldElsewhere);
        other.Outcome.Should().Be(SlotOutcome.Full);
        await client.RevokeLeaseAsync(lease, CancellationToken.None);
        (await client.GetAsync(FleetKeys.SlotsOf(service), prefix: true, CancellationToken.None)).Items.Should().BeEmpty();
    }

    [Theory]
    [InlineData("2", 20, 2)]
    [InlineData("10%", 20, 2)]
    [InlineData("25%", 10, 2)]
    [InlineData("1%", 10, 1)]
    [InlineData("100%", 7, 7)]
    public void Must_read_max_unavailable_as_a_count_or_a_percentage_rounded_down_but_at_least_one(string text, int fleet, int expected) =>
        MaxUnavailable.Parse(text).For(fleet).Should().Be(expected);
}
