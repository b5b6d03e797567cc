using System.Diagnostics;
using System.Text;
using MaintenanceActors.Testing;

namespace MaintenanceActors.EntityFrameworkCore.Tests.Samples;

/// <summary>A sample started as a user starts it (<c>dotnet Sample.dll</c>) on a free port; killed on dispose.</summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SampleProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public HttpClient Http { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string Dll(string sample) => SampleBinaries.Dll(sample);

    public static ProcessStartInfo StartInfo(string sample, IEnumerable<(string Name, string Value)> environment) =>
        SampleBinaries.StartInfo(sample, environment);

    /// <summary>Starts the sample and returns once GET /health answers.</summary>
    public static async Task<SampleProcess> StartAsync(string sample, params (string Name, string Value)[] environment)
    {
        var port = FreePort.Get();
        var process = Process.Start(StartInfo(sample, [.. environment, ("PORT", port.ToString())]))!;
        var sampleProcess = new SampleProcess(process, port);
        process.OutputDataReceived += (_, e) => sampleProcess.Append(e.Data);
        process.ErrorDataReceived += (_, e) => sampleProcess.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                if ((await sampleProcess.Http.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return sampleProcess;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await sampleProcess.DisposeAsync();
                throw new InvalidOperationException($"{sample} did not start: {sampleProcess.Output}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
