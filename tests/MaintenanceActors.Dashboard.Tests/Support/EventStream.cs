using System.Text;
using System.Text.Json;

namespace MaintenanceActors.Dashboard.Tests.Support;

/// <summary>One server-sent event as read off the wire.</summary>
public sealed record ServerEvent(string Type, string? Id, string Data)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;
}

/// <summary>Reads the dashboard's <c>events</c> stream the way a browser's EventSource does (fields per line, blank line ends an event).</summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly CancellationTokenSource _stop = new();

    private EventStream(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body, Encoding.UTF8);
    }

    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    public static async Task<EventStream> OpenAsync(HttpClient http, string path = "events")
    {
        var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new EventStream(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next event (comments and the retry field skipped); fails after <paramref name="within"/> (default 20 s).</summary>
    public async Task<ServerEvent> NextAsync(TimeSpan? within = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(within ?? TimeSpan.FromSeconds(20));
        string? type = null, id = null;
        var data = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("the event stream ended");
            if (line.Length == 0)
            {
                if (type is not null || data.Length > 0)
                {
                    return new ServerEvent(type ?? "message", id, data.ToString());
                }
                continue;
            }
            if (line.StartsWith(':'))
            {
                continue;
            }
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "event": type = value; break;
                case "id": id = value; break;
                case "data": data.Append(data.Length > 0 ? "\n" : "").Append(value); break;
            }
        }
    }

    /// <summary>Reads events until one matches; the ones skipped are returned too, for failure messages.</summary>
    public async Task<ServerEvent> NextMatchingAsync(Func<ServerEvent, bool> match, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        var seen = new List<string>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"no matching event; saw: {string.Join(" | ", seen)}");
            }
            ServerEvent next;
            try
            {
                next = await NextAsync(left);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no matching event; saw: {string.Join(" | ", seen)}");
            }
            if (match(next))
            {
                return next;
            }
            seen.Add($"{next.Type} {next.Data}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _reader.Dispose();
        _response.Dispose();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
