using System.Diagnostics;
using System.Text;
using FluentAssertions;
using MaintenanceActors.Testing;
using Xunit;

namespace MaintenanceActors.AspNetCore.Tests.Samples;

/// <summary>The samples as a user starts them: a bad setting ends them with one line and exit code 2; a running one logs no line per request.</summary>
public sealed class SampleProcessSpec
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static string SampleDll(string sample)
    {
        // The test assembly lives in tests/<project>/bin/<Configuration>/<tfm>/; the samples are built with the same configuration.
        var binDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = binDirectory.Name;
        var configuration = binDirectory.Parent!.Name;
        var root = binDirectory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "MaintenanceActors.sln")))
        {
            root = root.Parent;
        }
        var dll = Path.Combine(root!.FullName, "samples", sample, "bin", configuration, tfm, sample + ".dll");
        File.Exists(dll).Should().BeTrue($"the test project builds {sample} first ({dll})");
        return dll;
    }

    private static async Task<(int ExitCode, string StdErr, string StdOut)> RunToExitAsync(string sample, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(SampleDll(sample));
        start.Environment["PORT"] = FreePort.Get().ToString();
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Wait);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        return (process.ExitCode, await stderr, await stdout);
    }

    [Theory]
    [InlineData("HttpService", "PORT", "x", "PORT must be a TCP port number from 1 to 65535 (default 5080), not 'x'.")]
    [InlineData("GrpcService", "PORT", "70000", "PORT must be a TCP port number from 1 to 65535 (default 50051), not '70000'.")]
    [InlineData("HttpService", "LISTEN_ADDRESS", "everywhere", "LISTEN_ADDRESS must be an IP address to listen on, such as 127.0.0.1 (default) or 0.0.0.0, not 'everywhere'.")]
    [InlineData("HttpService", "ETCD_ENDPOINTS", "http://[bad", "ETCD_ENDPOINTS: contains 'http://[bad', which is not an endpoint (expected host:port or http(s)://host:port); use http://host:port, https://host:port or host:port")]
    [InlineData("GrpcService", "ETCD_ENDPOINTS", "127.0.0.1:2379/v3", "ETCD_ENDPOINTS: contains '127.0.0.1:2379/v3', which is not an endpoint (has a path '/v3', but etcd's API is served at the root; give only scheme://host:port); use http://host:port, https://host:port or host:port")]
    [InlineData("GrpcService", "MAINTENANCE_KEY", " ", null)]
    public async Task Must_stop_on_a_bad_setting_with_one_line_naming_the_variable_and_exit_code_2(string sample, string variable, string value, string? line)
    {
        if (line is null)
        {
            // Blank means "use the default" (like unset): the sample starts. Proven by a bad port beside it still being the only complaint.
            var blank = await RunToExitAsync(sample, (variable, value), ("PORT", "0"));
            blank.ExitCode.Should().Be(2);
            blank.StdErr.Trim().Should().StartWith("PORT must be a TCP port number");
            return;
        }
        var (exitCode, stderr, _) = await RunToExitAsync(sample, (variable, value));
        exitCode.Should().Be(2);
        stderr.Trim().Should().Be(line, "one line, no stack trace");
    }

    [Fact]
    public async Task Must_log_no_line_per_request_at_the_shipped_levels()
    {
        var port = FreePort.Get();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(SampleDll("HttpService"));
        start.Environment["PORT"] = port.ToString();
        // No etcd behind it: the service serves on the last known state (off) and says so once.
        start.Environment["ETCD_ENDPOINTS"] = $"127.0.0.1:{FreePort.Get()}";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var deadline = DateTime.UtcNow + Wait;
            while (true)
            {
                try
                {
                    if ((await http.GetAsync("/items")).IsSuccessStatusCode) break;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100));
                }
            }
            for (var i = 0; i < 100; i++)
            {
                (await http.GetAsync("/items")).EnsureSuccessStatusCode();
            }
            (await http.GetAsync("/health/ready")).EnsureSuccessStatusCode();
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        string text;
        lock (output) text = output.ToString();
        text.Should().NotContain("Request starting").And.NotContain("Request finished").And.NotContain("Executing endpoint");
        text.Split('\n').Count(l => l.Contains("/items")).Should().Be(0, "101 requests, no log line about them");
    }
}
