using System.Net;
using System.Text.Json;
using Akka.Actor;
using FluentAssertions;
using MaintenanceActors.AspNetCore.Http;
using MaintenanceActors.AspNetCore.Tests.Fixtures;
using MaintenanceActors.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Xunit;
using Xunit.Abstractions;

namespace MaintenanceActors.AspNetCore.Tests.Http;

/// <summary>Many clients against the real middleware while the HTTP drain actor enters and leaves maintenance.</summary>
public sealed class DrainUnderLoadSpec : MaintenanceTestKit
{
    private const int Requests = 10_000;
    private const int Clients = 32;
    private const int Toggles = 50;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ITestOutputHelper _output;
    private readonly bool[] _handlerRan = new bool[Requests];
    private long _running;
    private long _startedWhileDrained;
    private int _drained;

    public DrainUnderLoadSpec(ITestOutputHelper output)
        : base(output)
    {
        _output = output;
    }

    [Fact]
    public async Task Must_finish_or_cleanly_refuse_every_request_and_never_report_drained_while_one_runs()
    {
        await using var server = await GatedServer.StartAsync(s => s.AddHttpGate(), app =>
        {
            app.UseMaintenance();
            app.MapGet("/work/{i:int}", HandleAsync);
        });
        var gate = server.Gates.Http;
        var drain = Sys.ActorOf(Props.Create(() => new HttpDrainActor(server.Gates, Options.Create(new HttpDrainOptions()))), "http");
        long completed = 0, refused = 0, malformed = 0, failed = 0, drainsReported = 0, busyAtDrain = 0;
        int next = -1;
        string? firstMalformed = null;

        using var client = server.CreateHttp1Client();
        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Requests)
            {
                try
                {
                    using var response = await client.GetAsync($"/work/{i}");
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK && body == "ok" && _handlerRan[i])
                    {
                        Interlocked.Increment(ref completed);
                    }
                    else if (IsWellFormedRefusal(response, body) && !Volatile.Read(ref _handlerRan[i]))
                    {
                        Interlocked.Increment(ref refused);
                    }
                    else if (Interlocked.Increment(ref malformed) == 1)
                    {
                        firstMalformed = $"#{i}: {(int)response.StatusCode} {response.Headers} {body} handler ran: {_handlerRan[i]}";
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();

        var toggler = Task.Run(async () =>
        {
            for (int toggle = 0; toggle < Toggles; toggle++)
            {
                // Spread the maintenance windows over the run: close at a point of progress, reopen a little later.
                long closeAt = (toggle + 1) * (Requests / (Toggles + 2));
                (await Eventually.HoldsAsync(() => Interlocked.Read(ref completed) + Interlocked.Read(ref refused) >= closeAt, Patience)).Should().BeTrue();
                var report = await drain.Ask<DrainCompleted>(new EnterMaintenance(2 * toggle + 1, DateTimeOffset.UtcNow + Patience), Patience);
                report.Outcome.Should().Be(DrainOutcome.Drained);

                // The drain reported done: nothing admitted may be running now, nor start before the exit.
                Volatile.Write(ref _drained, 1);
                Interlocked.Increment(ref drainsReported);
                if (Interlocked.Read(ref _running) != 0)
                {
                    Interlocked.Increment(ref busyAtDrain);
                }

                long refusedBefore = Interlocked.Read(ref refused);
                await Eventually.HoldsAsync(() => Interlocked.Read(ref refused) >= refusedBefore + 20 || Volatile.Read(ref next) >= Requests, Patience);
                Volatile.Write(ref _drained, 0);
                (await drain.Ask<ResumeCompleted>(new ExitMaintenance(2 * toggle + 2), Patience)).Outcome.Should().Be(ResumeOutcome.Resumed);
            }
        });

        await Task.WhenAll(clients.Append(toggler)).WaitAsync(TimeSpan.FromMinutes(2));

        _output.WriteLine($"completed {completed}, refused {refused}, malformed {malformed}, failed {failed}, drains {drainsReported}");
        failed.Should().Be(0, "no request may be aborted or reset");
        malformed.Should().Be(0, "every answer is the handler's or a well-formed refusal; first other: {0}", firstMalformed);
        (completed + refused).Should().Be(Requests);
        refused.Should().BeGreaterThan(0);
        drainsReported.Should().Be(Toggles);
        busyAtDrain.Should().Be(0, "a drain must never report done while an admitted request runs");
        _startedWhileDrained.Should().Be(0, "nothing may be admitted after a drain reported done");
        gate.InFlight.Should().Be(0);
        gate.GetStats().Served.Should().Be(completed);
    }

    private async Task<IResult> HandleAsync(int i)
    {
        Interlocked.Increment(ref _running);
        if (Volatile.Read(ref _drained) == 1)
        {
            Interlocked.Increment(ref _startedWhileDrained);
        }

        Volatile.Write(ref _handlerRan[i], true);
        if (i % 8 == 0)
        {
            // Some requests stay in flight across an await so drains really have something to wait for.
            await Task.Delay(1);
        }
        else
        {
            await Task.Yield();
        }

        Interlocked.Decrement(ref _running);
        return Results.Text("ok");
    }

    private static bool IsWellFormedRefusal(HttpResponseMessage response, string body)
    {
        if (response.StatusCode != HttpStatusCode.ServiceUnavailable
            || response.Content.Headers.ContentType?.MediaType != MaintenanceRefusal.ProblemContentType
            || response.Headers.RetryAfter?.Delta is null)
        {
            return false;
        }

        var problem = JsonDocument.Parse(body).RootElement;
        return problem.GetProperty("status").GetInt32() == 503
            && problem.GetProperty("title").GetString() is { Length: > 0 }
            && problem.GetProperty("detail").GetString()!.StartsWith("The service is in maintenance", StringComparison.Ordinal);
    }
}
