using System.Diagnostics;
using System.Text;
using MaintenanceActors.Cli.Output;

namespace MaintenanceActors.Cli.Tests.Support;

/// <summary>What one maintctl run printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>A TextWriter whose text can be read while another task writes (the watch specs read a running command's output).</summary>
public sealed class SharedWriter : TextWriter
{
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_text) _text.Append(value);
    }

    public override void Write(string? value)
    {
        lock (_text) _text.Append(value);
    }

    public override string ToString()
    {
        lock (_text) return _text.ToString();
    }
}

/// <summary>Runs maintctl through its entry point, in this process (<see cref="RunAsync"/>) or as a real process (<see cref="RunProcessAsync"/>).</summary>
public static class Tool
{
    /// <summary>Runs in-process with the given environment only (no ETCDCTL_* leaks in from the test's own environment).</summary>
    public static async Task<CliResult> RunAsync(IDictionary<string, string>? env, params string[] args)
    {
        var output = new SharedWriter();
        var error = new SharedWriter();
        var code = await StartAsync(output, error, env, CancellationToken.None, args);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static Task<CliResult> RunAsync(string endpoint, params string[] args) =>
        RunAsync(new Dictionary<string, string> { ["ETCDCTL_ENDPOINTS"] = endpoint, ["USER"] = "tester", ["HOSTNAME"] = "ci" }, args);

    /// <summary>Starts a run that goes on until <paramref name="ct"/> is cancelled (watch, roll).</summary>
    public static Task<int> StartAsync(TextWriter output, TextWriter error, IDictionary<string, string>? env, CancellationToken ct, params string[] args)
    {
        var io = new CliIo(output, error, name => env is not null && env.TryGetValue(name, out var v) ? v : null, interactive: false);
        return Task.Run(() => Maintctl.RunAsync(args, io, ct));
    }

    /// <summary>The maintctl.dll built beside the tests.</summary>
    public static string ToolPath => Path.Combine(AppContext.BaseDirectory, "maintctl.dll");

    public static ProcessStartInfo ProcessStart(IDictionary<string, string> env, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(ToolPath);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ETCDCTL_", StringComparison.Ordinal)).ToArray())
        {
            info.Environment.Remove(name);
        }
        foreach (var (k, v) in env) info.Environment[k] = v;
        return info;
    }

    public static async Task<CliResult> RunProcessAsync(IDictionary<string, string> env, params string[] args)
    {
        using var process = Process.Start(ProcessStart(env, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
