using MaintenanceActors.Testing;
using Microsoft.Playwright;

namespace MaintenanceActors.Dashboard.Tests.Support;

/// <summary>
/// Debian's Chromium (/usr/bin/chromium) driven by Playwright: no browser download, the system's own build. Installed through the
/// project's apt helper when missing and this runs as root; otherwise the fixture fails saying how to install it.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await EnsureInstalledAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Chromium's sandbox refuses to start as root, which is how CI runs.
            ChromiumSandbox = false,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }

    private static async Task EnsureInstalledAsync()
    {
        if (File.Exists(ExecutablePath))
        {
            return;
        }
        var root = FindRepositoryRoot();
        if (Environment.UserName != "root" || root is null)
        {
            throw new InvalidOperationException(
                $"Debian's chromium is needed at {ExecutablePath} for the browser specs: run bash scripts/install-deps.sh (or apt-get install chromium).");
        }
        try
        {
            var apt = Path.Combine(root, "scripts", "lib", "apt.sh");
            await ProcessRunner.RunAsync("bash", ["-c", $"source '{apt}' && apt_get update -qq && apt_get install -y -qq --no-install-recommends chromium"],
                timeout: TimeSpan.FromMinutes(10));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"Debian's chromium is needed at {ExecutablePath} and could not be installed ({ex.Message.Split('\n')[0]}): run bash scripts/install-deps.sh.", ex);
        }
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"apt-get installed chromium, but {ExecutablePath} is still missing.");
        }
    }

    private static string? FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MaintenanceActors.sln")))
            {
                return directory.FullName;
            }
        }
        return null;
    }
}
