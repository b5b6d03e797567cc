using System.Net;
using MaintenanceActors.Dashboard.Tests.Support;

namespace MaintenanceActors.Dashboard.Tests;

/// <summary>The one write, POST api/maintenance: token, cross-site refusal, problem answers, and the value written.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardWriteSpec(DashboardHost host)
{
    private const string Enable = """{"service":"payments","enabled":true,"reason":"db upgrade"}""";

    private static async Task ShouldBeProblem(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().Contain(title);
    }

    [Fact]
    public async Task Must_refuse_a_write_without_the_token()
    {
        var response = await host.PostAsync(Enable.Replace("payments", "no-token"), token: null);

        await ShouldBeProblem(response, HttpStatusCode.Unauthorized, "Not authorized");
        (await host.ReadKeyAsync("/maintenance/no-token")).Should().BeNull();
    }

    [Fact]
    public async Task Must_refuse_a_write_with_a_wrong_token()
    {
        var response = await host.PostAsync(Enable.Replace("payments", "wrong-token"), token: "not-the-token-0123456789");

        await ShouldBeProblem(response, HttpStatusCode.Unauthorized, "Not authorized");
        (await host.ReadKeyAsync("/maintenance/wrong-token")).Should().BeNull();
    }

    [Theory]
    [InlineData("Origin", "http://evil.example")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task Must_refuse_a_cross_site_write_even_with_the_token(string header, string value)
    {
        var response = await host.PostAsync(Enable.Replace("payments", "cross-site"), configure: r => r.Headers.Add(header, value));

        await ShouldBeProblem(response, HttpStatusCode.Forbidden, "Cross-site request refused");
        (await host.ReadKeyAsync("/maintenance/cross-site")).Should().BeNull();
    }

    [Fact]
    public async Task Must_accept_a_write_from_the_pages_own_origin()
    {
        var origin = new Uri(host.Url).GetLeftPart(UriPartial.Authority);
        var response = await host.PostAsync(Enable.Replace("payments", "same-origin"), configure: r =>
        {
            r.Headers.Add("Origin", origin);
            r.Headers.Add("Sec-Fetch-Site", "same-origin");
        });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("{not json", "Not valid JSON")]
    [InlineData("""{"service":"payments","enabled":"yes please","reason":"x"}""", "Not valid JSON")]
    [InlineData("null", "Not a valid maintenance change")]
    [InlineData("""{"service":"payments","enabled":true}""", "reason")]
    [InlineData("""{"service":"payments","enabled":true,"reason":"   "}""", "reason")]
    [InlineData("""{"service":"pay/ments","enabled":true,"reason":"x"}""", "service")]
    [InlineData("""{"service":"payments","instance":"a/b","enabled":true,"reason":"x"}""", "instance")]
    [InlineData("""{"service":"payments","reason":"x"}""", "enabled")]
    [InlineData("""{"service":"payments","enabled":true,"reason":"x","forSeconds":-5}""", "forSeconds")]
    [InlineData("""{"service":"payments","enabled":true,"reason":"x","until":"2001-01-01T00:00:00Z"}""", "until")]
    public async Task Must_answer_a_bad_body_with_a_400_problem(string body, string mentioned)
    {
        var response = await host.PostAsync(body);

        await ShouldBeProblem(response, HttpStatusCode.BadRequest, mentioned);
    }

    [Fact]
    public async Task Must_refuse_a_body_that_is_not_json()
    {
        var response = await host.PostAsync(Enable, configure: r =>
            r.Content = new FormUrlEncodedContent([new("service", "form"), new("enabled", "true"), new("reason", "x")]));

        await ShouldBeProblem(response, HttpStatusCode.UnsupportedMediaType, "JSON required");
    }

    [Fact]
    public async Task Must_write_the_service_key_with_who_why_and_until()
    {
        var before = DateTimeOffset.UtcNow;
        var response = await host.PostAsync("""{"service":"billing","enabled":true,"reason":"db upgrade","forSeconds":1800}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var stored = await host.ReadKeyAsync("/maintenance/billing");
        var value = MaintenanceValueParser.Parse(stored, "/maintenance/billing", 0);
        value.IsMalformed.Should().BeFalse();
        value.Enabled.Should().BeTrue();
        value.Info!.Reason.Should().Be("db upgrade");
        value.Info.By.Should().Be("tester@dashboard-tests", "the dashboard's By names the writer when the request does not");
        value.Info.Until.Should().BeCloseTo(before.AddMinutes(30), TimeSpan.FromMinutes(1));
        stored.Should().Be(MaintenanceValueParser.Format(true, value.Info), "writes use the core's format");
    }

    [Fact]
    public async Task Must_write_the_instance_key_off_with_the_named_writer()
    {
        var response = await host.PostAsync("""{"service":"billing","instance":"billing-2","enabled":false,"reason":"done","by":"carol"}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var value = MaintenanceValueParser.Parse(await host.ReadKeyAsync("/maintenance/billing/instances/billing-2"), "k", 0);
        value.Enabled.Should().BeFalse();
        value.Info.Should().Be(new MaintenanceInfo("done", "carol", null));
    }

    [Fact]
    public async Task Should_serve_the_page_with_a_strict_content_security_policy()
    {
        var response = await host.Http.GetAsync("");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType?.MediaType.Should().Be("text/html");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("script-src 'self'").And.Contain("frame-ancestors 'none'");
        (await response.Content.ReadAsStringAsync()).Should().Contain("dashboard.js");
        (await host.Http.GetAsync("dashboard.js")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.Http.GetAsync("dashboard.css")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
