using Akka.Actor;
using MaintenanceActors.Failover.Tests.Fixtures;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Failover.Tests.Client;

public sealed class ExecuteWithFailoverSpec(ITestOutputHelper output) : FailoverSpec(output)
{
    private static readonly FailoverRequest Users = new("users");

    [Fact]
    public async Task A_retry_must_move_to_another_endpoint_and_be_counted_once()
    {
        await RegisterAsync(Endpoint("a"), Endpoint("b"), Endpoint("c"));
        var calls = new List<string>();
        var result = await Client.ExecuteWithFailoverAsync(Users, (endpoint, _) =>
        {
            calls.Add(endpoint.Id);
            return calls.Count < 3 ? throw new HttpRequestException("connection refused") : Task.FromResult(endpoint.Id);
        });

        result.Success.Should().BeTrue();
        result.Attempts.Should().Be(3);
        calls.Should().OnlyHaveUniqueItems().And.HaveCount(3);
        result.Result.Should().Be(calls[2]);
        result.Endpoint!.Id.Should().Be(calls[2]);

        var stats = await Client.GetStatsAsync();
        stats.Calls.Should().Be(1);
        stats.Attempts.Should().Be(3);
        stats.FailedOver.Should().Be(2);
        stats.Successes.Should().Be(1);
        stats.PerEndpoint.Sum(e => e.Attempts).Should().Be(3);
        stats.PerEndpoint.Sum(e => e.Failures).Should().Be(2);
        (await Eventually.HoldsAsync(async () => (await Client.GetEventsAsync()).Count(e => e.Kind == FailoverEventKind.FailedOver) == 2)).Should().BeTrue();
    }

    [Fact]
    public async Task Must_stop_after_max_attempts_with_a_connection_error_naming_the_last_endpoint()
    {
        await RegisterAsync(Endpoint("a"), Endpoint("b"), Endpoint("c"), Endpoint("d"));
        var calls = 0;
        var result = await Client.ExecuteWithFailoverAsync<int>(Users with { MaxAttempts = 2 }, (_, _) =>
        {
            calls++;
            throw new HttpRequestException("connection refused");
        });
        calls.Should().Be(2);
        result.Attempts.Should().Be(2);
        result.Success.Should().BeFalse();
        var error = result.Error.Should().BeOfType<FailoverConnectionException>().Subject;
        error.Kind.Should().Be(FailoverErrorKind.Connection);
        error.EndpointId.Should().Be(result.Endpoint!.Id);
        error.InnerException.Should().BeOfType<HttpRequestException>();
    }

    [Fact]
    public async Task A_result_rejected_by_IsFailure_must_be_retried_elsewhere()
    {
        await RegisterAsync(Endpoint("a"), Endpoint("b"));
        var result = await Client.ExecuteWithFailoverAsync(
            Users with { IsFailure = r => r is 503, Strategy = FailoverStrategy.RoundRobin },
            (endpoint, _) => Task.FromResult(endpoint.Id == "users/a" ? 503 : 200));
        result.Success.Should().BeTrue();
        result.Result.Should().Be(200);
        result.Endpoint!.Id.Should().Be("users/b");
    }

    [Fact]
    public async Task A_call_failing_on_rejected_results_must_hand_back_the_last_one()
    {
        await RegisterAsync(Endpoint("a"), Endpoint("b"));
        var result = await Client.ExecuteWithFailoverAsync(Users with { IsFailure = r => r is 503 }, (_, _) => Task.FromResult(503));
        result.Success.Should().BeFalse();
        result.Attempts.Should().Be(3);
        result.Result.Should().Be(503);
        result.Error.Should().BeOfType<FailoverConnectionException>().Which.Message.Should().Contain("rejected by IsFailure");
    }

    [Fact]
    public async Task A_single_endpoint_must_be_retried_when_no_other_is_left()
    {
        await RegisterAsync(Endpoint("a"));
        var calls = 0;
        var result = await Client.ExecuteWithFailoverAsync(Users, (_, _) => ++calls < 3 ? throw new IOException("reset") : Task.FromResult(calls));
        result.Success.Should().BeTrue();
        result.Attempts.Should().Be(3);
    }

    [Fact]
    public async Task Retries_must_wait_their_delay_on_the_clock()
    {
        await RegisterAsync(Endpoint("a"), Endpoint("b"));
        await Client.ConfigureAsync(new FailoverOptions { Retry = new() { MaxRetries = 1, Delay = TimeSpan.FromSeconds(5) } });
        var calls = 0;
        var pending = Client.ExecuteWithFailoverAsync(Users, (_, _) => Interlocked.Increment(ref calls) == 1 ? throw new IOException("reset") : Task.FromResult(2));
        (await Eventually.HoldsAsync(() => Volatile.Read(ref calls) == 1)).Should().BeTrue();
        pending.IsCompleted.Should().BeFalse();
        Clock.Advance(TimeSpan.FromSeconds(5));
        (await pending).Attempts.Should().Be(2);
    }

    [Fact]
    public async Task Must_report_not_found_validation_timeout_and_cancellation_as_such()
    {
        (await Client.ExecuteWithFailoverAsync(new FailoverRequest("nobody"), (_, _) => Task.FromResult(1))).Error
            .Should().BeOfType<FailoverNotFoundException>().Which.Message.Should().Contain("nobody");
        (await Client.ExecuteWithFailoverAsync(new FailoverRequest(" "), (_, _) => Task.FromResult(1))).Error
            .Should().BeOfType<FailoverValidationException>().Which.Message.Should().Contain("ServiceName");
        (await Client.ExecuteWithFailoverAsync(Users with { MaxAttempts = 0 }, (_, _) => Task.FromResult(1))).Error
            .Should().BeOfType<FailoverValidationException>().Which.Message.Should().Contain("MaxAttempts");

        await RegisterAsync(Endpoint("a"));
        var never = new TaskCompletionSource<int>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = Client.ExecuteWithFailoverAsync(Users with { Timeout = TimeSpan.FromSeconds(5) }, async (_, ct) =>
        {
            await using var registration = ct.Register(() => never.TrySetCanceled(ct));
            started.SetResult();
            return await never.Task;
        });
        await started.Task;
        Clock.Advance(TimeSpan.FromSeconds(4));
        pending.IsCompleted.Should().BeFalse();
        Clock.Advance(TimeSpan.FromSeconds(1));
        var timedOut = await pending;
        timedOut.Error.Should().BeOfType<FailoverTimeoutException>().Which.Message.Should().Contain("5000 ms");
        timedOut.Attempts.Should().Be(1);

        using var cancel = new CancellationTokenSource();
        var waiting = Client.ExecuteWithFailoverAsync(Users, async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return 1; }, cancel.Token);
        cancel.Cancel();
        await waiting.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Registry_management_must_answer_by_message_and_through_the_client()
    {
        var endpoint = Endpoint("a") with { Tags = ["v2"], Metadata = new Dictionary<string, string> { ["zone"] = "1" }, Priority = 2 };
        await Client.RegisterAsync(endpoint);
        var stored = (await Client.GetEndpointAsync("users/a"))!;
        stored.Endpoint.CreatedAt.Should().Be(Clock.GetUtcNow());
        stored.Endpoint.Tags.Should().Equal("v2");
        stored.Source.Should().Be("static");

        Clock.Advance(TimeSpan.FromMinutes(1));
        await Client.UpdateAsync(endpoint with { Port = 5081 });
        var updated = (await Client.GetEndpointAsync("users/a"))!.Endpoint;
        updated.Port.Should().Be(5081);
        updated.CreatedAt.Should().Be(stored.Endpoint.CreatedAt);
        updated.UpdatedAt.Should().Be(Clock.GetUtcNow());

        await Client.Invoking(c => c.RegisterAsync(Endpoint("b") with { Port = 0 })).Should().ThrowAsync<FailoverValidationException>().WithMessage("*Port*");
        (await Client.DeregisterAsync("users/a", source: "etcd")).Should().BeFalse("another source owns it");
        (await Client.ListEndpointsAsync()).Should().ContainSingle();
        (await Client.DeregisterAsync("users/a")).Should().BeTrue();
        (await Client.ListEndpointsAsync("users")).Should().BeEmpty();
        (await Registry.Ask<object>(new GetEndpoint("users/a"))).Should().Be(new EndpointNotFound("users/a"));
        (await Client.GetEventsAsync(2)).Select(e => e.Kind).Should().Equal(FailoverEventKind.Updated, FailoverEventKind.Deregistered);
    }

    [Fact]
    public async Task The_event_ring_must_keep_only_its_capacity()
    {
        await Client.ConfigureAsync(new FailoverOptions { EventCapacity = 3 });
        for (var i = 0; i < 5; i++)
        {
            await RegisterAsync(Endpoint($"e{i}"));
        }
        var events = await Client.GetEventsAsync(100);
        events.Should().HaveCount(3);
        events.Select(e => e.EndpointId).Should().Equal("users/e2", "users/e3", "users/e4");
    }
}
