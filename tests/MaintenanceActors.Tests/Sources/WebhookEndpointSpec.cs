using System.Net;
using System.Text;
using MaintenanceActors.AspNetCore;
using MaintenanceActors.Tests.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace MaintenanceActors.Tests.Sources;

/// <summary>The webhook endpoint over a real Kestrel socket.</summary>
public sealed class WebhookEndpointSpec : IAsyncLifetime
{
    private const string Secret = "endpoint-secret-0123456789";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<HostedGate>();
        builder.Services.AddMaintenance(m => m.AddWebhookSource(o => o.Secret = Secret).AddResource<HostedGateActor>("api"));
        _app = builder.Build();
        _app.MapMaintenanceWebhook();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private Task<HttpResponseMessage> Post(string body, string? timestamp, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, MaintenanceWebhookEndpointExtensions.DefaultPattern) { Content = new StringContent(body, Encoding.UTF8) };
        if (timestamp is not null) request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
        if (signature is not null) request.Headers.Add(WebhookSignature.SignatureHeader, signature);
        return _http.SendAsync(request);
    }

    private static (string Timestamp, string Signature) Sign(string body, string secret = Secret)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signer = new WebhookSignature(secret, TimeSpan.FromMinutes(5));
        return (ts.ToString(), signer.Sign(ts, Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public async Task Must_accept_a_good_signature_and_refuse_bad_missing_and_replayed_ones()
    {
        var maintenance = _app.Services.GetRequiredService<IMaintenance>();
        var body = """{"enabled":true,"reason":"webhook"}""";
        var good = Sign(body);

        (await Post(body, good.Timestamp, good.Signature)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await maintenance.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();
        (await maintenance.GetStatusAsync()).Reasons.Single().Should().Contain("webhook");

        (await Post(body, good.Timestamp, good.Signature)).StatusCode.Should().Be(HttpStatusCode.Conflict, "a replay is refused");
        var forged = Sign("false", "some-other-secret-value");
        (await Post("false", forged.Timestamp, forged.Signature)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Post("false", null, null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var tampered = Sign("true");
        (await Post("false", tampered.Timestamp, tampered.Signature)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        maintenance.IsInMaintenance.Should().BeTrue("no refused request changed anything");

        var off = Sign("off");
        (await Post("off", off.Timestamp, off.Signature)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await maintenance.WaitForMaintenanceModeAsync(false, Wait)).Should().BeTrue();
        (await maintenance.GetHealthAsync()).Sources["webhook"].Warnings.Should().Contain(w => w.Contains("BadSignature"));
    }

    [Fact]
    public async Task Must_answer_400_to_a_signed_malformed_value_and_keep_maintenance_on()
    {
        var maintenance = _app.Services.GetRequiredService<IMaintenance>();
        var on = Sign("""{"enabled":true,"reason":"webhook"}""");
        (await Post("""{"enabled":true,"reason":"webhook"}""", on.Timestamp, on.Signature)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await maintenance.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();

        var typo = """{"enabled":true,"until":"tomorrow"}""";
        var signed = Sign(typo);
        var response = await Post(typo, signed.Timestamp, signed.Signature);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().Contain("field \\\"until\\\" is \\\"tomorrow\\\"")
            .And.Contain("kept the last known state");

        maintenance.IsInMaintenance.Should().BeTrue("a malformed value never flips the state");
        var health = (await maintenance.GetHealthAsync()).Sources["webhook"];
        health.Status.Should().Be(ComponentHealth.Degraded);
        health.Warnings.Last().Should().Contain("is malformed: field \"until\"");

        var off = Sign("off");
        (await Post("off", off.Timestamp, off.Signature)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await maintenance.WaitForMaintenanceModeAsync(false, Wait)).Should().BeTrue();
        (await maintenance.GetHealthAsync()).Sources["webhook"].Status.Should().Be(ComponentHealth.Healthy);
    }
}
