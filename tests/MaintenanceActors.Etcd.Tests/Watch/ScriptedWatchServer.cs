using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using MaintenanceActors.Etcd.Protocol;
using MaintenanceActors.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Etcd.Tests.Watch;

/// <summary>
/// A fake etcd Watch service on Kestrel (h2c) driven by the test: it records every request with the number of its stream
/// and sends exactly the responses the test tells it to, so timings a real etcd produces only rarely can be replayed.
/// </summary>
internal sealed class ScriptedWatchServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<int, Channel<WatchResponse>> outgoing = new();
    private readonly Channel<(int Stream, WatchRequest Request)> requests = Channel.CreateUnbounded<(int, WatchRequest)>();
    private int streams;

    private ScriptedWatchServer(int port)
    {
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        app = builder.Build();
        app.MapPost("/etcdserverpb.Watch/Watch", ServeAsync);
    }

    public Uri Endpoint { get; }

    /// <summary>Streams from this number on are refused at once with Unavailable.</summary>
    public int RefuseFromStream { get; set; } = int.MaxValue;

    public static async Task<ScriptedWatchServer> StartAsync()
    {
        var server = new ScriptedWatchServer(Testing.FreePort.Get());
        await server.app.StartAsync();
        return server;
    }

    /// <summary>The next request any stream sent.</summary>
    public async Task<(int Stream, WatchRequest Request)> NextRequestAsync() =>
        await requests.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

    public void Send(int stream, WatchResponse response) => outgoing.GetOrAdd(stream, NewChannel).Writer.TryWrite(response);

    /// <summary>Ends the stream cleanly, with grpc-status 0, after what was sent before.</summary>
    public void EndStream(int stream) => outgoing.GetOrAdd(stream, NewChannel).Writer.TryComplete();

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in outgoing.Values)
            channel.Writer.TryComplete();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static Channel<WatchResponse> NewChannel(int _) => Channel.CreateUnbounded<WatchResponse>();

    private async Task ServeAsync(HttpContext context)
    {
        var number = Interlocked.Increment(ref streams);
        context.Response.ContentType = GrpcProtocol.ContentType;
        if (number >= RefuseFromStream)
        {
            context.Response.Headers[GrpcProtocol.StatusHeader] = "14";
            context.Response.Headers[GrpcProtocol.MessageHeader] = "refused by the script";
            return;
        }
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        var reader = Task.Run(async () =>
        {
            while (await GrpcFraming.ReadMessageAsync(context.Request.Body, WatchRequest.Parser, cancellationToken: context.RequestAborted) is { } request)
                requests.Writer.TryWrite((number, request));
        });
        try
        {
            await foreach (var response in outgoing.GetOrAdd(number, NewChannel).Reader.ReadAllAsync(context.RequestAborted))
                await GrpcFraming.WriteMessageAsync(context.Response.Body, response, context.RequestAborted);
            context.Response.AppendTrailer(GrpcProtocol.StatusHeader, "0");
            await context.Response.CompleteAsync();
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        await reader.ContinueWith(static _ => { }, TaskScheduler.Default);
    }
}
