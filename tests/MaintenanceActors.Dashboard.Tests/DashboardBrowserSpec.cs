using System.Text.Json;
using MaintenanceActors.Dashboard.Tests.Support;
using MaintenanceActors.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MaintenanceActors.Dashboard.Tests;

/// <summary>The page in a real browser (Debian's Chromium through Playwright) against a real etcd.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardBrowserSpec(DashboardHost host, Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveTextOptions Within = new() { Timeout = 20_000 };
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _context = await chromium.Browser.NewContextAsync();
        _page = await _context.NewPageAsync();
        await _page.GotoAsync($"{host.Url}#token={DashboardHost.Token}");
        await Expect(_page.Locator("#link")).ToHaveTextAsync("etcd: live", Within);
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private static string Status(string service, string instance, string phase) => JsonSerializer.Serialize(new
    {
        service, instance, host = "web-7", version = "2.0.1", epoch = 3, phase, inMaintenance = phase != "serving", reason = "kernel patch",
        by = "alice", source = "instance", inFlight = 4,
        resources = new[] { new { name = "http", state = phase, outcome = (string?)null, inFlight = 4 }, new { name = "sqs", state = "drained", outcome = (string?)"drained", inFlight = 0 } },
        updatedAt = DateTimeOffset.UtcNow.ToString("O"),
    });

    [Fact]
    public async Task Should_show_an_instance_after_its_status_key_is_put()
    {
        var row = _page.Locator("tr[data-service='inventory'][data-instance='inventory-1']");
        await Expect(row).ToHaveCountAsync(0);

        await host.Etcd.EtcdCtlAsync("put", "/maintenance-status/inventory/inventory-1", Status("inventory", "inventory-1", "draining"));

        await Expect(row.Locator(".phase")).ToHaveTextAsync("draining", Within);
        await Expect(row.Locator(".reason")).ToHaveTextAsync("kernel patch");
        await Expect(row.Locator(".by")).ToHaveTextAsync("alice");
        await Expect(row.Locator(".in-flight")).ToHaveTextAsync("in flight 4");
        await Expect(row.Locator("progress")).ToHaveAttributeAsync("value", "1");
        await Expect(_page.Locator("#timeline rect[data-state='draining']")).Not.ToHaveCountAsync(0);

        await host.Etcd.EtcdCtlAsync("put", "/maintenance-status/inventory/inventory-1", Status("inventory", "inventory-1", "drained"));
        await Expect(row.Locator(".phase")).ToHaveTextAsync("drained", Within);
    }

    [Fact]
    public async Task Must_write_the_key_when_enable_is_clicked_with_a_reason()
    {
        await host.Etcd.EtcdCtlAsync("put", "/maintenance-status/checkout/checkout-2", Status("checkout", "checkout-2", "serving"));
        var row = _page.Locator("tr[data-service='checkout'][data-instance='checkout-2']");
        await Expect(row.Locator(".phase")).ToHaveTextAsync("serving", Within);

        await row.Locator("button[data-action='enable']").ClickAsync();
        await _page.Locator("#change-reason").FillAsync("replace disk");
        await _page.Locator("#change-confirm").ClickAsync();

        await Expect(_page.Locator("#change-dialog")).Not.ToBeVisibleAsync();
        const string key = "/maintenance/checkout/instances/checkout-2";
        (await Eventually.HoldsAsync(async () => await host.ReadKeyAsync(key) is not null)).Should().BeTrue("the click writes the instance key");
        var value = MaintenanceValueParser.Parse(await host.ReadKeyAsync(key), key, 0);
        value.Enabled.Should().BeTrue();
        value.Info.Should().Be(new MaintenanceInfo("replace disk", "tester@dashboard-tests", null));
        await Expect(row.Locator(".maintenance")).ToContainTextAsync("on", new() { Timeout = 20_000 });
    }

    [Fact]
    public async Task Should_refuse_to_write_without_a_reason()
    {
        await host.Etcd.EtcdCtlAsync("put", "/maintenance/reasonless", "false");
        var section = _page.Locator("section[data-service='reasonless']");
        await section.Locator(".service-head button[data-action='enable']").ClickAsync(new() { Timeout = 20_000 });

        await _page.Locator("#change-confirm").ClickAsync();

        await Expect(_page.Locator("#change-dialog")).ToBeVisibleAsync();
        (await host.ReadKeyAsync("/maintenance/reasonless")).Should().Be("false", "nothing is written without a reason");
    }

    [Fact]
    public async Task Should_ask_for_the_token_when_the_page_was_opened_without_it()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(host.Url);
        await host.Etcd.EtcdCtlAsync("put", "/maintenance/tokenless", "false");
        await page.Locator("section[data-service='tokenless'] .service-head button[data-action='disable']").ClickAsync(new() { Timeout = 20_000 });
        await page.Locator("#change-reason").FillAsync("all clear");

        await page.Locator("#change-confirm").ClickAsync();
        await Expect(page.Locator("#change-error")).ToContainTextAsync("token");
        (await host.ReadKeyAsync("/maintenance/tokenless")).Should().Be("false", "nothing is sent without a token");
        await page.Locator("#change-token").FillAsync(DashboardHost.Token);
        await page.Locator("#change-confirm").ClickAsync();

        await Expect(page.Locator("#change-dialog")).Not.ToBeVisibleAsync();
        var value = MaintenanceValueParser.Parse(await host.ReadKeyAsync("/maintenance/tokenless"), "/maintenance/tokenless", 0);
        value.Enabled.Should().BeFalse();
        value.Info!.Reason.Should().Be("all clear", "the write went through once the token was given");
    }

    [Fact]
    public async Task Should_take_the_token_from_the_address_and_drop_it()
    {
        _page.Url.Should().NotContain("token", "the token leaves the address bar (and history) once the page has it");
        (await _page.EvaluateAsync<string>("sessionStorage.getItem('maintenance-dashboard-token')")).Should().Be(DashboardHost.Token);
        await Expect(_page.Locator("#token-box")).ToBeHiddenAsync();
    }
}
