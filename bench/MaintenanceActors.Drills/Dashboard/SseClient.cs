using MaintenanceActors.Drills.Core;

namespace MaintenanceActors.Drills.Dashboard;

/// <summary>One open page as the drill sees it: the dashboard's event stream, stamping each change event's id (its etcd revision) on arrival.</summary>
internal sealed class SseClient : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _snapshot = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reader;

    private SseClient(HttpClient http, Stream body)
    {
        _http = http;
        _reader = Task.Run(() => ReadAsync(body));
    }

    public Arrivals Changes { get; } = new();

    /// <summary>Opens the stream and returns once its snapshot arrived.</summary>
    public static async Task<SseClient> OpenAsync(string baseUrl, CancellationToken cancellationToken)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = Timeout.InfiniteTimeSpan };
        var response = await http.GetAsync("events", HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var client = new SseClient(http, await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        await client._snapshot.Task.WaitAsync(DrillSettings.EventTimeout, cancellationToken).ConfigureAwait(false);
        return client;
    }

    private async Task ReadAsync(Stream body)
    {
        using var reader = new StreamReader(body);
        long id = 0;
        try
        {
            while (await reader.ReadLineAsync(_stop.Token).ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = long.Parse(line.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line == "event: snapshot")
                {
                    _snapshot.TrySetResult();
                }
                else if (line == "event: change")
                {
                    Changes.Record(id);
                }
            }
        }
        catch (Exception ex) when (_stop.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            // disposed: the drill is over
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _reader.ConfigureAwait(false);
        _http.Dispose();
        _stop.Dispose();
    }
}
