using MaintenanceActors.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MaintenanceActors.AspNetCore.Tests.Fixtures;

/// <summary>A small app behind UseMaintenance with endpoints the HTTP specs need; records what its handlers did.</summary>
internal sealed class HttpTestApp
{
    public TaskCompletionSource HangStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource UploadStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource ReleaseSlow { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource SlowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int HandlerRuns;

    public static async Task<(GatedServer Server, HttpTestApp App)> StartAsync(Action<HttpDrainOptions>? configure = null)
    {
        var probe = new HttpTestApp();
        var server = await GatedServer.StartAsync(
            services => services.AddHttpGate(o =>
            {
                o.SkipPaths.Add("/exact-skip");
                o.SkipWhen = ctx => ctx.Request.Headers.ContainsKey("x-lb-probe");
                configure?.Invoke(o);
            }),
            app => probe.Map(app));
        return (server, probe);
    }

    private void Map(WebApplication app)
    {
        app.UseMaintenance();
        app.MapGet("/items", () =>
        {
            Interlocked.Increment(ref HandlerRuns);
            return Results.Json(new[] { new { id = 1, name = "one" } });
        });
        app.MapGet("/health", () => "healthy");
        app.MapGet("/health/ready", () => "ready");
        app.MapGet("/exact-skip", () => "skipped");
        app.MapGet("/exact-skip/child", () => "not skipped");
        app.MapGet("/hang", async (HttpContext ctx) =>
        {
            HangStarted.TrySetResult();
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        });
        app.MapGet("/slow", async () =>
        {
            SlowStarted.TrySetResult();
            await ReleaseSlow.Task;
            return "done";
        });
        app.MapPost("/upload", async (HttpContext ctx) =>
        {
            UploadStarted.TrySetResult();
            var buffer = new byte[4096];
            long total = 0;
            int read;
            while ((read = await ctx.Request.Body.ReadAsync(buffer, ctx.RequestAborted)) > 0)
            {
                total += read;
            }

            return Results.Text(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
    }
}
