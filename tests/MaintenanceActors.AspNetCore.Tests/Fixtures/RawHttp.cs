using System.Net.Sockets;
using System.Text;

namespace MaintenanceActors.AspNetCore.Tests.Fixtures;

/// <summary>Speaks HTTP over a bare socket, for clients HttpClient cannot imitate (HTTP/1.0, bodies that never end).</summary>
internal sealed class RawHttp : IDisposable
{
    private readonly TcpClient _client = new();

    private RawHttp()
    {
    }

    public NetworkStream Stream => _client.GetStream();

    public static async Task<RawHttp> ConnectAsync(Uri server)
    {
        var raw = new RawHttp();
        await raw._client.ConnectAsync(server.Host, server.Port);
        return raw;
    }

    public Task SendAsync(string text) => Stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    /// <summary>Reads until the server closes the connection.</summary>
    public async Task<string> ReadToEndAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var all = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await Stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(all.ToArray());
    }

    /// <summary>Reads one response whose body has a Content-Length, without waiting for the connection to close.</summary>
    public async Task<string> ReadResponseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var all = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var text = Encoding.UTF8.GetString(all.ToArray());
            int headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headerEnd >= 0)
            {
                var lengthLine = text[..headerEnd].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                int length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                if (all.Count >= Encoding.UTF8.GetByteCount(text[..headerEnd]) + 4 + length)
                {
                    return text;
                }
            }

            int read = await Stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                return text;
            }

            all.AddRange(buffer.AsSpan(0, read));
        }
    }

    public void Dispose() => _client.Dispose();
}
