using MaintenanceActors.Testing;
using System.Net;
using System.Text.Json;
using FluentAssertions;
using MaintenanceActors.AspNetCore.Gate;
using MaintenanceActors.AspNetCore.Tests.Fixtures;
using Xunit;

namespace MaintenanceActors.AspNetCore.Tests.Http;

public sealed class MaintenanceMiddlewareSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Must_serve_requests_normally_while_the_gate_is_open()
    {
        var (server, app) = await HttpTestApp.StartAsync();
        await using var _ = server;
        using var client = server.CreateHttp1Client();

        var response = await client.GetAsync("/items");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        app.HandlerRuns.Should().Be(1);
        server.Gates.Http.GetStats().Should().Be(new RequestGateStats(0, 1, 0, false));
    }

    [Fact]
    public async Task Must_refuse_with_a_problem_json_503_and_retry_after_until_the_announced_end()
    {
        var (server, app) = await HttpTestApp.StartAsync();
        await using var _ = server;
        using var client = server.CreateHttp1Client();
        var until = DateTimeOffset.UtcNow.AddMinutes(2);
        server.Gates.Http.Close("database upgrade", until);

        var response = await client.GetAsync("/items");

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        response.Headers.ConnectionClose.Should().BeTrue();
        var retryAfter = response.Headers.RetryAfter!.Delta!.Value;
        retryAfter.Should().BeGreaterThan(TimeSpan.FromSeconds(100)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(121));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        problem.GetProperty("type").GetString().Should().NotBeNullOrEmpty();
        problem.GetProperty("title").GetString().Should().Be("Service in maintenance");
        problem.GetProperty("status").GetInt32().Should().Be(503);
        problem.GetProperty("detail").GetString().Should().Contain("database upgrade");
        problem.GetProperty("reason").GetString().Should().Be("database upgrade");
        app.HandlerRuns.Should().Be(0, "a refused request never reaches its handler");
        server.Gates.Http.GetStats().Refused.Should().Be(1);
    }

    [Fact]
    public async Task Should_send_the_configured_default_retry_after_when_the_end_is_unknown()
    {
        var (server, _) = await HttpTestApp.StartAsync(o => o.DefaultRetryAfter = TimeSpan.FromSeconds(42));
        await using var __ = server;
        using var client = server.CreateHttp1Client();
        server.Gates.Http.Close();

        var response = await client.GetAsync("/items");

        response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(42));
    }

    [Fact]
    public async Task Must_not_send_connection_close_on_http2()
    {
        var (server, _) = await HttpTestApp.StartAsync();
        await using var __ = server;
        using var client = server.CreateHttp2Client();
        server.Gates.Http.Close("upgrade");

        var response = await client.GetAsync("/items");

        response.Version.Should().Be(HttpVersion.Version20);
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        response.Headers.ConnectionClose.Should().NotBe(true);
    }

    [Fact]
    public async Task Must_refuse_grpc_calls_the_grpc_way_even_without_a_grpc_drain()
    {
        var (server, _) = await HttpTestApp.StartAsync();
        await using var __ = server;
        using var client = server.CreateHttp2Client();
        server.Gates.Http.Close("upgrade");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/users.v1.UserService/GetUser")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");

        var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK, "gRPC carries its status in grpc-status, not in the HTTP status");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/grpc");
        response.Headers.GetValues("grpc-status").Should().Equal("14");
        response.Headers.GetValues("grpc-message").Single().Should().Be("Service in maintenance: upgrade");
        server.Gates.Http.GetStats().Refused.Should().Be(1);
    }

    [Theory]
    [InlineData("/health", null)]
    [InlineData("/health/ready", null)]
    [InlineData("/exact-skip", null)]
    [InlineData("/items", "x-lb-probe")]
    public async Task Must_keep_skipped_paths_working_during_maintenance(string path, string? header)
    {
        var (server, _) = await HttpTestApp.StartAsync();
        await using var __ = server;
        using var client = server.CreateHttp1Client();
        server.Gates.Http.Close();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (header is not null)
        {
            request.Headers.Add(header, "1");
        }

        var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        server.Gates.Http.GetStats().Should().Be(new RequestGateStats(0, 0, 0, true), "skipped requests are neither counted nor refused");
    }

    [Fact]
    public async Task Must_match_exact_skip_paths_exactly()
    {
        var (server, _) = await HttpTestApp.StartAsync();
        await using var __ = server;
        using var client = server.CreateHttp1Client();
        server.Gates.Http.Close();

        var response = await client.GetAsync("/exact-skip/child");

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Must_answer_an_http10_client_in_both_states()
    {
        var (server, _) = await HttpTestApp.StartAsync();
        await using var __ = server;

        using (var open = await RawHttp.ConnectAsync(server.Http1))
        {
            await open.SendAsync("GET /items HTTP/1.0\r\nHost: test\r\n\r\n");
            (await open.ReadToEndAsync()).Should().MatchRegex(@"^HTTP/1\.[01] 200 ").And.Contain("\"one\"");
        }

        server.Gates.Http.Close("patching");
        using (var closed = await RawHttp.ConnectAsync(server.Http1))
        {
            await closed.SendAsync("GET /items HTTP/1.0\r\n\r\n");
            var response = await closed.ReadToEndAsync();
            response.Should().MatchRegex(@"^HTTP/1\.[01] 503 ").And.Contain("application/problem+json").And.Contain("patching");
        }

        server.Gates.Http.InFlight.Should().Be(0);
    }

    [Fact]
    public async Task Must_let_an_admitted_request_finish_and_report_idle_only_afterwards()
    {
        var (server, app) = await HttpTestApp.StartAsync();
        await using var _ = server;
        using var client = server.CreateHttp1Client();
        var slow = client.GetStringAsync("/slow");
        await app.SlowStarted.Task.WaitAsync(Patience);

        server.Gates.Http.Close();
        var idle = server.Gates.Http.WhenIdle;
        (await client.GetAsync("/items")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        idle.IsCompleted.Should().BeFalse("the slow request is still running");
        server.Gates.Http.InFlight.Should().Be(1);

        app.ReleaseSlow.SetResult();
        (await slow.WaitAsync(Patience)).Should().Be("done");
        await idle.WaitAsync(Patience);
    }

    [Fact]
    public async Task Must_return_the_in_flight_count_to_zero_when_a_client_disconnects_mid_drain()
    {
        var (server, app) = await HttpTestApp.StartAsync();
        await using var _ = server;
        using var client = server.CreateHttp1Client();
        using var cancel = new CancellationTokenSource();
        var hanging = client.GetAsync("/hang", cancel.Token);
        await app.HangStarted.Task.WaitAsync(Patience);
        server.Gates.Http.Close();
        server.Gates.Http.InFlight.Should().Be(1);

        await cancel.CancelAsync();

        await hanging.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        await server.Gates.Http.WhenIdle.WaitAsync(Patience);
        server.Gates.Http.InFlight.Should().Be(0);
    }

    [Fact]
    public async Task Must_return_the_in_flight_count_to_zero_when_a_request_body_never_ends()
    {
        var (server, app) = await HttpTestApp.StartAsync();
        await using var _ = server;
        using (var raw = await RawHttp.ConnectAsync(server.Http1))
        {
            await raw.SendAsync("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 1000000\r\n\r\npartial body");
            await app.UploadStarted.Task.WaitAsync(Patience);
            server.Gates.Http.InFlight.Should().Be(1);
        }

        (await Eventually.HoldsAsync(() => server.Gates.Http.InFlight == 0)).Should().BeTrue("the handler ends when the connection drops");
        server.Gates.Http.GetStats().Served.Should().Be(1);
    }

    [Fact]
    public async Task Must_refuse_a_never_ending_body_during_maintenance_without_waiting_for_it()
    {
        var (server, app) = await HttpTestApp.StartAsync();
        await using var _ = server;
        server.Gates.Http.Close();
        using var raw = await RawHttp.ConnectAsync(server.Http1);

        await raw.SendAsync("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 1000000\r\n\r\npartial body");
        var response = await raw.ReadResponseAsync();

        response.Should().MatchRegex(@"^HTTP/1\.1 503 ").And.Contain("Connection: close").And.Contain("\"status\":503");
        app.UploadStarted.Task.IsCompleted.Should().BeFalse();
        server.Gates.Http.InFlight.Should().Be(0);
    }
}
