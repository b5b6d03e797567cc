using Akka.Actor;
using MaintenanceActors.Failover.Tests.Fixtures;
using Xunit.Abstractions;

namespace MaintenanceActors.Failover.Tests.Selection;

public sealed class SelectionSpec(ITestOutputHelper output) : FailoverSpec(output)
{
    private static readonly FailoverRequest Users = new("users");

    [Fact]
    public async Task Round_robin_must_give_each_endpoint_the_same_share()
    {
        await RegisterAsync(Endpoint("a"), Endpoint("b"), Endpoint("c"));
        var counts = Distribution(Users with { Strategy = FailoverStrategy.RoundRobin }, 300);
        counts.Should().BeEquivalentTo(new Dictionary<string, int> { ["users/a"] = 100, ["users/b"] = 100, ["users/c"] = 100 });
    }

    [Fact]
    public async Task Round_robin_must_spread_an_excluded_endpoints_turns_over_the_others_not_its_neighbour()
    {
        await RegisterAsync(Endpoint("a"), Endpoint("b"), Endpoint("c"), Endpoint("d"));
        await Client.Registry.Ask<MaintenanceApplied>(new SetEndpointMaintenance("users/b", true, "draining"));
        var counts = Distribution(Users with { Strategy = FailoverStrategy.RoundRobin }, 300);
        counts.Should().BeEquivalentTo(new Dictionary<string, int> { ["users/a"] = 100, ["users/c"] = 100, ["users/d"] = 100 });
    }

    [Fact]
    public async Task Random_must_spread_evenly_with_a_seeded_source()
    {
        await RegisterAsync(Endpoint("a"), Endpoint("b"), Endpoint("c"), Endpoint("d"));
        var counts = Distribution(Users with { Strategy = FailoverStrategy.Random }, 8000);
        counts.Keys.Should().HaveCount(4);
        counts.Values.Should().OnlyContain(n => n > 1800 && n < 2200);
    }

    [Fact]
    public async Task Weighted_must_give_shares_proportional_to_weights()
    {
        await RegisterAsync(Endpoint("a") with { Weight = 1 }, Endpoint("b") with { Weight = 3 }, Endpoint("c") with { Weight = 6 }, Endpoint("z") with { Weight = 0 });
        var counts = Distribution(Users with { Strategy = FailoverStrategy.Weighted }, 10_000);
        counts["users/a"].Should().BeInRange(850, 1150);
        counts["users/b"].Should().BeInRange(2700, 3300);
        counts["users/c"].Should().BeInRange(5600, 6400);
        counts.Should().NotContainKey("users/z");
    }

    [Fact]
    public async Task Weighted_must_follow_uneven_weights_over_many_endpoints()
    {
        await RegisterAsync(Enumerable.Range(1, 12).Select(w => Endpoint($"w{w:00}") with { Weight = w % 4 == 0 ? 0 : w }).ToArray());
        var total = Enumerable.Range(1, 12).Where(w => w % 4 != 0).Sum();
        var counts = Distribution(Users with { Strategy = FailoverStrategy.Weighted }, 60_000);
        foreach (var w in Enumerable.Range(1, 12))
        {
            var expected = w % 4 == 0 ? 0 : 60_000.0 * w / total;
            counts.GetValueOrDefault($"users/w{w:00}").Should().BeCloseTo((int)expected, (uint)(expected * 0.1 + 1), $"weight {w}");
        }
    }

    [Fact]
    public async Task Weighted_must_fall_back_to_zero_weight_endpoints_when_no_other_is_left()
    {
        await RegisterAsync(Endpoint("a") with { Weight = 5 }, Endpoint("z") with { Weight = 0 });
        await Client.Registry.Ask<MaintenanceApplied>(new SetEndpointMaintenance("users/a", true));
        Distribution(Users with { Strategy = FailoverStrategy.Weighted }, 10).Should().ContainSingle().Which.Key.Should().Be("users/z");
    }

    [Fact]
    public async Task Least_connections_must_pick_the_endpoint_with_fewest_calls_in_flight()
    {
        await RegisterAsync(Endpoint("a"), Endpoint("b"), Endpoint("c"));
        var hold = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = Users with { Strategy = FailoverStrategy.LeastConnections };
        // Four calls held open spread over the three endpoints as 2/1/1 at most; the fifth pick goes to one with fewest.
        var held = Enumerable.Range(0, 4).Select(_ => Client.ExecuteWithFailoverAsync(request, (_, _) => hold.Task)).ToArray();
        var active = (await Client.ListEndpointsAsync("users")).ToDictionary(e => e.Endpoint.Id, e => e.ActiveConnections);
        active.Values.Should().BeEquivalentTo(new[] { 2, 1, 1 });
        Client.TrySelectEndpoint(request, out var next).Should().BeTrue();
        active[next!.Id].Should().Be(1);
        hold.SetResult(1);
        (await Task.WhenAll(held)).Should().OnlyContain(r => r.Success);
        (await Client.ListEndpointsAsync("users")).Should().OnlyContain(e => e.ActiveConnections == 0);
    }

    [Fact]
    public async Task Health_based_must_prefer_healthy_endpoints_and_use_others_only_when_none_is_left()
    {
        await RegisterAsync(Endpoint("a"), Endpoint("b"), Endpoint("c"));
        await SetHealthAsync("users/b", EndpointHealth.Healthy);
        await SetHealthAsync("users/c", EndpointHealth.Degraded);
        var request = Users with { Strategy = FailoverStrategy.HealthBased };
        Distribution(request, 50).Keys.Should().Equal("users/b");
        await SetHealthAsync("users/b", EndpointHealth.Unhealthy);
        Distribution(request, 50).Keys.Should().BeEquivalentTo("users/a", "users/c");
    }

    [Fact]
    public async Task Geographic_must_try_the_callers_region_then_the_configured_order_then_any()
    {
        Directory.Options = new FailoverOptions { RegionOrder = ["eu-west", "us-east"] };
        await RegisterAsync(
            Endpoint("paris") with { Region = "eu-west" },
            Endpoint("berlin") with { Region = "eu-central" },
            Endpoint("virginia") with { Region = "us-east" },
            Endpoint("tokyo") with { Region = "ap-north" });
        var request = Users with { Strategy = FailoverStrategy.Geographic, Region = "eu-central" };
        Distribution(request, 20).Keys.Should().Equal("users/berlin");
        await Client.Registry.Ask<MaintenanceApplied>(new SetEndpointMaintenance("users/berlin", true));
        Distribution(request, 20).Keys.Should().Equal("users/paris");
        await Client.Registry.Ask<MaintenanceApplied>(new SetEndpointMaintenance("users/paris", true));
        Distribution(request, 20).Keys.Should().Equal("users/virginia");
        await Client.Registry.Ask<MaintenanceApplied>(new SetEndpointMaintenance("users/virginia", true));
        Distribution(request, 20).Keys.Should().Equal("users/tokyo");
    }

    [Fact]
    public async Task Key_hash_must_keep_a_key_on_one_endpoint_and_spread_keys()
    {
        await RegisterAsync(Endpoint("a"), Endpoint("b"), Endpoint("c"));
        var request = Users with { Algorithm = LoadBalancingAlgorithm.KeyHash };
        var owners = Enumerable.Range(0, 300).ToDictionary(i => $"10.0.0.{i}", i => Pick(request with { Key = $"10.0.0.{i}" }));
        owners.Values.Distinct().Should().HaveCount(3);
        owners.GroupBy(o => o.Value).Should().OnlyContain(g => g.Count() > 60);
        owners.Where(o => Pick(request with { Key = o.Key }) != o.Value).Should().BeEmpty();
    }

    [Fact]
    public async Task Sticky_sessions_must_keep_keys_when_an_endpoint_joins_and_move_them_when_theirs_leaves()
    {
        await RegisterAsync(Endpoint("a"), Endpoint("b"), Endpoint("c"));
        var request = Users with { Algorithm = LoadBalancingAlgorithm.KeyHash };
        var keys = Enumerable.Range(0, 100).Select(i => $"session-{i}").ToArray();
        var before = keys.ToDictionary(k => k, k => Pick(request with { Key = k }));
        await RegisterAsync(Endpoint("d"));
        keys.Where(k => Pick(request with { Key = k }) != before[k]).Should().BeEmpty();

        await Client.Registry.Ask<MaintenanceApplied>(new SetEndpointMaintenance("users/a", true));
        var moved = keys.Where(k => before[k] == "users/a").ToArray();
        moved.Should().NotBeEmpty();
        moved.Where(k => Pick(request with { Key = k }) == "users/a").Should().BeEmpty();
        keys.Except(moved).Where(k => Pick(request with { Key = k }) != before[k]).Should().BeEmpty();
    }

    [Theory]
    [InlineData(LoadBalancingAlgorithm.RoundRobin)]
    [InlineData(LoadBalancingAlgorithm.Random)]
    [InlineData(LoadBalancingAlgorithm.Weighted)]
    [InlineData(LoadBalancingAlgorithm.LeastConnections)]
    [InlineData(LoadBalancingAlgorithm.KeyHash)]
    public async Task Every_algorithm_must_skip_endpoints_in_maintenance_unhealthy_or_open_circuited(LoadBalancingAlgorithm algorithm)
    {
        Directory.Options = new FailoverOptions { CircuitBreaker = new() { FailureThreshold = 1 } };
        await RegisterAsync(Endpoint("a"), Endpoint("b"), Endpoint("c"), Endpoint("d"), Endpoint("e", name: "orders"));
        await Client.Registry.Ask<MaintenanceApplied>(new SetEndpointMaintenance("users/a", true, "draining"));
        await SetHealthAsync("users/b", EndpointHealth.Unhealthy);
        Client.ReportOutcome(Endpoint("c"), success: false);

        var picks = Enumerable.Range(0, 200).Select(i => Pick(new FailoverRequest("users") { Algorithm = algorithm, Key = $"k{i}" })).Distinct();
        picks.Should().Equal("users/d");
    }

    [Fact]
    public async Task Service_wide_maintenance_must_cover_endpoints_registered_later_until_it_clears()
    {
        await RegisterAsync(Endpoint("a"));
        await Client.Registry.Ask<MaintenanceApplied>(new SetServiceMaintenance("users", true, "release"));
        await RegisterAsync(Endpoint("b"));
        Client.TrySelectEndpoint(Users, out _).Should().BeFalse();
        (await Client.SelectEndpointAsync(Users).Invoking(t => t).Should().ThrowAsync<FailoverNotFoundException>())
            .WithMessage("*2 in maintenance*");
        await Client.Registry.Ask<MaintenanceApplied>(new SetServiceMaintenance("users", false));
        Distribution(Users, 4).Keys.Should().BeEquivalentTo("users/a", "users/b");
    }

    [Fact]
    public async Task Instance_maintenance_set_before_registration_must_apply_when_it_registers()
    {
        await Client.Registry.Ask<MaintenanceApplied>(new SetEndpointMaintenance("users/b", true));
        await RegisterAsync(Endpoint("a"), Endpoint("b"));
        Distribution(Users, 10).Keys.Should().Equal("users/a");
        (await Client.GetEndpointAsync("users/b"))!.Selectable.Should().BeFalse();
    }

    private string Pick(FailoverRequest request)
    {
        Client.TrySelectEndpoint(request, out var endpoint).Should().BeTrue();
        return endpoint!.Id;
    }
}
