using MaintenanceActors.Dashboard.Tests.Support;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Dashboard.Tests;

/// <summary>The dashboard's one watch across a lost link to etcd: it resumes from the last seen revision, or reads again after a compaction.</summary>
public sealed class DashboardWatchSpec : IAsyncLifetime
{
    private EtcdServer _etcd = null!;
    private TcpProxy _proxy = null!;
    private EtcdTestWriter _writer = null!;
    private RunningDashboard _dashboard = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        _etcd = await EtcdServer.StartAsync();
        _writer = new EtcdTestWriter(_etcd.CreateClient());
        _proxy = new TcpProxy(_etcd.ClientPort);
        _dashboard = await MaintenanceDashboard.StartAsync(new DashboardOptions
        {
            Endpoints = [_proxy.Endpoint],
            Port = FreePort.Get(),
            AuthToken = DashboardHost.Token,
            Output = TextWriter.Null,
        }, CancellationToken.None);
        _http.BaseAddress = new Uri(_dashboard.Url);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _dashboard.DisposeAsync();
        await _proxy.DisposeAsync();
        await _writer.DisposeAsync();
        await _etcd.DisposeAsync();
    }

    [Fact]
    public async Task Must_resume_from_the_last_seen_revision_after_losing_etcd()
    {
        await using var stream = await EventStream.OpenAsync(_http);
        (await stream.NextMatchingAsync(e => e.Type == "snapshot" && e.Json.GetProperty("etcd").GetProperty("connected").GetBoolean())).Should().NotBeNull();
        await _writer.PutAsync("/maintenance/before", "true");
        await stream.NextMatchingAsync(e => e.Type == "change");

        _proxy.Cut();
        var away = await stream.NextMatchingAsync(e => e.Type == "etcd");
        var missedRevision = await _writer.PutAsync("/maintenance/during", """{"enabled":true,"reason":"written while the dashboard was cut off","by":"bob"}""");
        _proxy.Restore();

        var change = await stream.NextMatchingAsync(e => e.Type == "change", TimeSpan.FromSeconds(30));
        away.Json.GetProperty("connected").GetBoolean().Should().BeFalse();
        away.Json.GetProperty("error").GetString().Should().NotBeNullOrEmpty();
        change.Json.GetProperty("key").GetString().Should().Be("/maintenance/during", "the watch resumes by revision instead of reading a new snapshot");
        change.Json.GetProperty("revision").GetInt64().Should().Be(missedRevision);
        change.Json.GetProperty("entry").GetProperty("value").GetProperty("by").GetString().Should().Be("bob");
    }

    [Fact]
    public async Task Must_read_everything_again_when_the_missed_revisions_were_compacted()
    {
        await using var stream = await EventStream.OpenAsync(_http);
        await stream.NextMatchingAsync(e => e.Type == "snapshot" && e.Json.GetProperty("etcd").GetProperty("connected").GetBoolean());
        await _writer.PutAsync("/maintenance-status/gone/gone-1", """{"phase":"serving"}""");
        await stream.NextMatchingAsync(e => e.Type == "change");

        _proxy.Cut();
        await stream.NextMatchingAsync(e => e.Type == "etcd");
        await _writer.DeleteAsync("/maintenance-status/gone/gone-1");
        await _writer.PutAsync("/maintenance/compacted", "true");
        var last = await _writer.PutAsync("/maintenance/compacted", "false");
        await _writer.CompactAsync(last);
        _proxy.Restore();

        var snapshot = await stream.NextMatchingAsync(e => e.Type == "snapshot", TimeSpan.FromSeconds(30));
        var keys = snapshot.Json.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("key").GetString()).ToArray();
        keys.Should().Contain("/maintenance/compacted").And.NotContain("/maintenance-status/gone/gone-1");
        snapshot.Json.GetProperty("revision").GetInt64().Should().BeGreaterThanOrEqualTo(last);
        snapshot.Json.GetProperty("timeline").EnumerateArray()
            .Should().Contain(t => t.GetProperty("service").GetString() == "gone" && t.GetProperty("state").GetString() == "gone",
                "the timeline records that the instance's status vanished while the dashboard was away");
    }
}
