using Akka;
using Akka.Actor;
using MaintenanceActors.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace MaintenanceActors.Tests.Hosting;

/// <summary>Tells the <see cref="LinkSource"/> what its link to the outside is doing.</summary>
public sealed record LinkState(bool Connected, string? Error = null, MaintenanceValue? Value = null);

/// <summary>A source whose connection a spec controls, standing in for an etcd that is away.</summary>
public sealed class LinkSource : MaintenanceSourceActor
{
    public LinkSource()
    {
        Receive<LinkState>(link =>
        {
            // A value alone: the base re-reports health itself when a malformed value comes or goes.
            if (link.Value is not null)
            {
                PublishState("/maintenance/svc", link.Value);
            }
            else
            {
                ReportHealth(link.Connected, link.Error);
            }
            Sender.Tell(Done.Instance);
        });
    }

    protected override string SourceName => "link";

    protected override void PreStart()
    {
        base.PreStart();
        ReportHealth(connected: true);
    }
}

/// <summary>Readiness makes failing open visible: a source away too long, or holding a malformed value, shows.</summary>
public sealed class ReadinessSpec(ITestOutputHelper output) : VirtualClockTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private async Task<(MaintenanceCoordinator Coordinator, IActorRef Source, MaintenanceReadinessCheck Check)> StartAsync(SourceOutagePolicy policy)
    {
        var coordinator = new MaintenanceCoordinator(Sys, new MaintenanceOptions { SourceOutageThreshold = TimeSpan.FromSeconds(30), SourceOutageReadiness = policy });
        coordinator.AddSource("link", () => Props.Create<LinkSource>());
        coordinator.Start();
        var source = await Sys.ActorSelection("/user/maintenance-source-link").ResolveOne(Wait);
        var check = new MaintenanceReadinessCheck(coordinator);
        await AwaitConditionAsync(async () => (await Check(check)).Data.ContainsKey("source:link"), Wait, "the supervisor has the source's health");
        return (coordinator, source, check);
    }

    private static Task<HealthCheckResult> Check(MaintenanceReadinessCheck check) => check.CheckHealthAsync(new HealthCheckContext());

    private async Task Tell(IActorRef source, LinkState state, MaintenanceReadinessCheck check, Func<HealthCheckResult, bool> until)
    {
        await source.Ask<Done>(state, Wait);
        await AwaitConditionAsync(async () => until(await Check(check)), Wait, "readiness reflects the source");
    }

    [Fact]
    public async Task Must_stay_ready_but_report_Degraded_with_the_error_once_a_source_is_away_longer_than_the_threshold()
    {
        var (_, source, check) = await StartAsync(SourceOutagePolicy.Degraded);
        (await Check(check)).Status.Should().Be(HealthStatus.Healthy);

        await Tell(source, new LinkState(false, "connection refused"), check, r => ((string)r.Data["source:link"]).StartsWith("reconnecting"));
        var shortOutage = await Check(check);
        shortOutage.Status.Should().Be(HealthStatus.Healthy, "an outage shorter than the threshold is a blip");
        ((string)shortOutage.Data["source:link"]).Should().EndWith(": connection refused");

        Time.Advance(TimeSpan.FromSeconds(30));
        var longOutage = await Check(check);
        longOutage.Status.Should().Be(HealthStatus.Degraded);
        longOutage.Description.Should().StartWith("taking work on the last known state; maintenance source link away since ")
            .And.EndWith("(connection refused)");

        await Tell(source, new LinkState(true), check, r => r.Status == HealthStatus.Healthy);
        (await Check(check)).Data["source:link"].Should().Be("connected");
    }

    [Fact]
    public async Task Must_report_not_ready_for_a_long_outage_when_the_policy_says_so()
    {
        var (_, source, check) = await StartAsync(SourceOutagePolicy.NotReady);
        await Tell(source, new LinkState(false, "timeout"), check, r => ((string)r.Data["source:link"]).StartsWith("reconnecting"));
        Time.Advance(TimeSpan.FromSeconds(31));
        var result = await Check(check);
        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Contain("maintenance source link away since").And.EndWith("(timeout)");
    }

    [Fact]
    public async Task Must_report_Degraded_while_a_source_holds_a_malformed_value_and_unhealthy_in_maintenance()
    {
        var (coordinator, source, check) = await StartAsync(SourceOutagePolicy.Degraded);
        var malformed = MaintenanceValueParser.Parse("""{"enabled":tru""", "/maintenance/svc", 7);
        await Tell(source, new LinkState(true, Value: malformed), check, r => r.Status == HealthStatus.Degraded);
        (await Check(check)).Description.Should().StartWith("taking work; link: maintenance value of '/maintenance/svc' at revision 7 is malformed");

        await Tell(source, new LinkState(true, Value: new MaintenanceValue(true, new MaintenanceInfo("upgrade"), null)), check,
            r => r.Status == HealthStatus.Unhealthy);
        coordinator.IsInMaintenance.Should().BeTrue();
        (await Check(check)).Description.Should().Be("in maintenance");
    }
}
