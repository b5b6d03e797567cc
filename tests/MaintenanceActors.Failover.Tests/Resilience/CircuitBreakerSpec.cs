using MaintenanceActors.Failover.Tests.Fixtures;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Failover.Tests.Resilience;

public sealed class CircuitBreakerSpec(ITestOutputHelper output) : FailoverSpec(output, new FailoverOptions
{
    CircuitBreaker = new() { FailureThreshold = 3, RecoveryTimeout = TimeSpan.FromSeconds(30), HalfOpenMaxCalls = 2, SuccessThreshold = 2 },
    Retry = new() { MaxRetries = 0 },
})
{
    private static readonly FailoverRequest Users = new("users");

    [Fact]
    public async Task Must_open_after_the_threshold_of_consecutive_failures_and_not_before()
    {
        await RegisterAsync(Endpoint("a"));
        await FailAsync(2);
        await SucceedAsync(1); // a success resets the count
        await FailAsync(2);
        State().Should().Be(CircuitState.Closed);
        await FailAsync(1);
        State().Should().Be(CircuitState.Open);

        var refused = await Client.ExecuteWithFailoverAsync(Users, (_, _) => Task.FromResult(1));
        refused.Success.Should().BeFalse();
        refused.Attempts.Should().Be(0);
        refused.Error.Should().BeOfType<FailoverCircuitOpenException>();
    }

    [Fact]
    public async Task Must_let_trial_calls_through_after_the_recovery_timeout_and_close_after_the_success_threshold()
    {
        await RegisterAsync(Endpoint("a"));
        await FailAsync(3);
        Clock.Advance(TimeSpan.FromSeconds(29));
        Client.TrySelectEndpoint(Users, out _).Should().BeFalse();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Client.TrySelectEndpoint(Users, out _).Should().BeTrue();

        // Two trials at once are allowed, a third is refused while they run.
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var trials = new[]
        {
            Client.ExecuteWithFailoverAsync(Users, (_, _) => release.Task),
            Client.ExecuteWithFailoverAsync(Users, (_, _) => release.Task),
        };
        State().Should().Be(CircuitState.HalfOpen);
        (await Client.ExecuteWithFailoverAsync(Users, (_, _) => Task.FromResult(3))).Attempts.Should().Be(0);
        release.SetResult(1);
        (await Task.WhenAll(trials)).Should().OnlyContain(r => r.Success);
        State().Should().Be(CircuitState.Closed);

        var events = await EventsAsync();
        events.Should().ContainInOrder(FailoverEventKind.CircuitOpened, FailoverEventKind.CircuitHalfOpened, FailoverEventKind.CircuitClosed);
    }

    [Fact]
    public async Task Must_reopen_when_a_trial_call_fails()
    {
        await RegisterAsync(Endpoint("a"));
        await FailAsync(3);
        Clock.Advance(TimeSpan.FromSeconds(30));
        await SucceedAsync(1);
        State().Should().Be(CircuitState.HalfOpen);
        await FailAsync(1);
        State().Should().Be(CircuitState.Open);
        Client.TrySelectEndpoint(Users, out _).Should().BeFalse();
        Clock.Advance(TimeSpan.FromSeconds(30));
        await SucceedAsync(2);
        State().Should().Be(CircuitState.Closed);
    }

    [Fact]
    public async Task Must_take_new_settings_at_run_time()
    {
        await RegisterAsync(Endpoint("a"));
        await Client.ConfigureAsync(new FailoverOptions { CircuitBreaker = new() { FailureThreshold = 1 }, Retry = new() { MaxRetries = 0 } });
        (await Client.GetConfigAsync()).CircuitBreaker.FailureThreshold.Should().Be(1);
        await FailAsync(1);
        State().Should().Be(CircuitState.Open);
        await Client.Invoking(c => c.ConfigureAsync(new FailoverOptions { Retry = new() { MaxRetries = -1 } }))
            .Should().ThrowAsync<FailoverValidationException>().WithMessage("Failover:Retry:MaxRetries*");
    }

    private CircuitState State() => Directory.Find("users")!.Entries[0].Breaker.State;

    private async Task FailAsync(int times)
    {
        for (var i = 0; i < times; i++)
        {
            var result = await Client.ExecuteWithFailoverAsync<int>(Users, (_, _) => throw new HttpRequestException("refused"));
            result.Success.Should().BeFalse();
        }
    }

    private async Task SucceedAsync(int times)
    {
        for (var i = 0; i < times; i++)
        {
            (await Client.ExecuteWithFailoverAsync(Users, (_, _) => Task.FromResult(i))).Success.Should().BeTrue();
        }
    }

    private async Task<List<FailoverEventKind>> EventsAsync()
    {
        List<FailoverEventKind> kinds = [];
        // Transitions reach the ring by message; wait for the last one.
        (await Eventually.HoldsAsync(async () =>
        {
            kinds = (await Client.GetEventsAsync(50)).Select(e => e.Kind).ToList();
            return kinds.Contains(FailoverEventKind.CircuitClosed);
        })).Should().BeTrue();
        return kinds;
    }
}
