using System.Text;
using System.Text.Json;
using MaintenanceActors.Dashboard.Endpoints;
using MaintenanceActors.Dashboard.Hosting;
using MaintenanceActors.Dashboard.Watch;
using MaintenanceActors.Etcd;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Dashboard;

/// <summary>Maps the dashboard into an ASP.NET Core app: <c>app.MapMaintenanceDashboard("/maintenance-dashboard")</c> after <c>services.AddMaintenanceDashboard(...)</c>.</summary>
/// <remarks>
/// Under <c>pattern</c>: <c>GET /</c> the page, <c>GET events</c> the server-sent event stream (a snapshot, then every change),
/// <c>GET api/state</c> the fleet as JSON, and <c>POST api/maintenance</c> the one write, which needs the token in
/// <c>X-Maintenance-Token</c>, a JSON body and no cross-site origin.
/// </remarks>
public static partial class MaintenanceDashboardEndpoints
{
    /// <summary>The header a write carries the dashboard token in; a custom header also keeps plain cross-site forms out.</summary>
    public const string TokenHeader = "X-Maintenance-Token";

    private const int MaxBodyBytes = 16 * 1024;

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Maps the page, its event stream and its API under <paramref name="pattern"/> (default the root).</summary>
    public static RouteGroupBuilder MapMaintenanceDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var runtime = endpoints.ServiceProvider.GetService<DashboardRuntime>()
            ?? throw new InvalidOperationException("MapMaintenanceDashboard needs the dashboard's services: call services.AddMaintenanceDashboard(...) first.");
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MaintenanceDashboardEndpoints).FullName!);
        var group = endpoints.MapGroup(pattern);
        group.MapGet("/", (HttpContext context) => Page(context));
        group.MapGet("/dashboard.js", (HttpContext context) => Asset(context, "dashboard.js", "text/javascript; charset=utf-8"));
        group.MapGet("/dashboard.css", (HttpContext context) => Asset(context, "dashboard.css", "text/css; charset=utf-8"));
        group.MapGet("/events", (HttpContext context) => StreamAsync(context, runtime));
        group.MapGet("/api/state", (HttpContext context) => State(context, runtime));
        group.MapPost("/api/maintenance", (Delegate)((HttpContext context) => WriteAsync(context, runtime, logger)));
        return group;
    }

    private static IResult Page(HttpContext context)
    {
        // Relative links on the page (events, api/...) need the trailing slash when the dashboard is mapped under a path.
        var path = context.Request.PathBase.Add(context.Request.Path).Value ?? "/";
        if (!path.EndsWith('/'))
        {
            return Results.Redirect(path + "/" + context.Request.QueryString);
        }
        return Asset(context, "index.html", "text/html; charset=utf-8");
    }

    private static IResult Asset(HttpContext context, string name, string contentType)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        return Results.Bytes(DashboardAssets.Get(name), contentType);
    }

    private static IResult State(HttpContext context, DashboardRuntime runtime)
    {
        context.Response.Headers.CacheControl = "no-store";
        return Results.Text(JsonSerializer.Serialize(runtime.State.Snapshot(), FleetEvent.Json), "application/json; charset=utf-8");
    }

    /// <summary>Server-sent events: a snapshot first, then each change as the one etcd watch delivers it; a comment keeps idle streams open.</summary>
    private static async Task StreamAsync(HttpContext context, DashboardRuntime runtime)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var aborted = context.RequestAborted;
        using var subscription = runtime.State.Subscribe();
        var reader = subscription.Events;
        try
        {
            await response.WriteAsync("retry: 1000\n\n", aborted).ConfigureAwait(false);
            await response.Body.FlushAsync(aborted).ConfigureAwait(false);
            while (true)
            {
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(aborted))
                {
                    idle.CancelAfter(runtime.Options.KeepAliveInterval);
                    try
                    {
                        if (!await reader.WaitToReadAsync(idle.Token).ConfigureAwait(false))
                        {
                            return; // cut off for falling behind: the browser reconnects and gets a fresh snapshot
                        }
                    }
                    catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                    {
                        await response.WriteAsync(": keep-alive\n\n", aborted).ConfigureAwait(false);
                        await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                        continue;
                    }
                }
                var text = new StringBuilder();
                while (reader.TryRead(out var fleetEvent))
                {
                    text.Append("id: ").Append(fleetEvent.Revision).Append('\n')
                        .Append("event: ").Append(fleetEvent.Type).Append('\n')
                        .Append("data: ").Append(fleetEvent.Data).Append("\n\n");
                }
                await response.WriteAsync(text.ToString(), aborted).ConfigureAwait(false);
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // the page went away
        }
        catch (IOException) when (aborted.IsCancellationRequested)
        {
            // the page went away mid-write
        }
    }

    private static async Task<IResult> WriteAsync(HttpContext context, DashboardRuntime runtime, ILogger logger)
    {
        var request = context.Request;
        if (!runtime.IsToken(request.Headers[TokenHeader].ToString()))
        {
            return Problem(StatusCodes.Status401Unauthorized, "Not authorized",
                $"Send the dashboard token in the {TokenHeader} header (printed at start, or {DashboardOptions.TokenEnvironmentVariable}).");
        }
        if (CrossSite(request) is { } refusal)
        {
            return Problem(StatusCodes.Status403Forbidden, "Cross-site request refused", refusal);
        }
        if (request.ContentType is null || !request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "JSON required", "Send the body as application/json.");
        }
        if (request.ContentLength > MaxBodyBytes)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body must be at most {MaxBodyBytes} bytes.");
        }
        WriteRequest? body;
        try
        {
            using var limited = new MemoryStream();
            await CopyLimitedAsync(request.Body, limited, context.RequestAborted).ConfigureAwait(false);
            limited.Position = 0;
            body = await JsonSerializer.DeserializeAsync<WriteRequest>(limited, FleetEvent.Json, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body must be at most {MaxBodyBytes} bytes.");
        }
        catch (JsonException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Not valid JSON",
                $"The body must be a JSON object such as {{\"service\":\"orders\",\"enabled\":true,\"reason\":\"db upgrade\"}} ({ex.Message}).");
        }
        var now = DateTimeOffset.UtcNow;
        if (body is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Not a valid maintenance change", "The body must be a JSON object, not null.");
        }
        if (body.Problem(now) is { } problem)
        {
            return Problem(StatusCodes.Status400BadRequest, "Not a valid maintenance change", problem);
        }
        var options = runtime.Options;
        var key = FleetKey.MaintenanceKey(options.MaintenancePrefix, body.Service!, body.Instance);
        var by = string.IsNullOrWhiteSpace(body.By) ? options.By : body.By.Trim();
        var value = MaintenanceValueParser.Format(body.Enabled!.Value, new MaintenanceInfo(body.Reason!.Trim(), by, body.EffectiveUntil(now)));
        long revision;
        try
        {
            revision = await runtime.Backend.PutAsync(key, value, context.RequestAborted).ConfigureAwait(false);
        }
        catch (EtcdException ex)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "etcd write failed", ex.Message);
        }
        LogWrite(logger, key, body.Enabled.Value, by, body.Reason, revision);
        return Results.Json(new { key, value, revision }, FleetEvent.Json);
    }

    /// <summary>
    /// A browser names where a request comes from; a write from another site (or from a page served by another origin) is refused even
    /// with a token. Tools such as curl send neither header and pass on the token alone.
    /// </summary>
    private static string? CrossSite(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0 && fetchSite is not ("same-origin" or "none"))
        {
            return $"Writes are accepted only from the dashboard's own page (Sec-Fetch-Site: {fetchSite}).";
        }
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return $"Writes are accepted only from the dashboard's own page (Origin: {origin}).";
        }
        return null;
    }

    private static async Task CopyLimitedAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (to.Length + read > MaxBodyBytes)
            {
                throw new InvalidDataException("body too large");
            }
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title);

    [LoggerMessage(Level = LogLevel.Information, Message = "dashboard wrote {Key} enabled={Enabled} by {By} ({Reason}) at revision {Revision}")]
    private static partial void LogWrite(ILogger logger, string key, bool enabled, string by, string? reason, long revision);
}
