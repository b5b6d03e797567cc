using MaintenanceActors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MaintenanceActors.AspNetCore;

/// <summary>Maps the signed maintenance webhook: <c>app.MapMaintenanceWebhook()</c> after <c>AddMaintenance(m => m.AddWebhookSource())</c>.</summary>
/// <remarks>
/// POST the maintenance value (same words and JSON as the etcd key) with headers
/// <c>X-Maintenance-Timestamp</c> (Unix seconds) and <c>X-Maintenance-Signature</c>
/// (<c>sha256=</c> + hex HMAC-SHA256 of <c>timestamp + "." + body</c>). Answers 204 when accepted,
/// 401 for a missing or wrong signature or a timestamp outside the window, 409 for a replay, 413 for a body too large.
/// </remarks>
public static class MaintenanceWebhookEndpointExtensions
{
    /// <summary>The default route.</summary>
    public const string DefaultPattern = "/maintenance/webhook";

    /// <summary>Maps POST <paramref name="pattern"/> to the webhook source.</summary>
    public static IEndpointConventionBuilder MapMaintenanceWebhook(this IEndpointRouteBuilder endpoints, string pattern = DefaultPattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var source = endpoints.ServiceProvider.GetService<WebhookSource>()
            ?? throw new InvalidOperationException("MapMaintenanceWebhook needs the webhook source: call AddMaintenance(m => m.AddWebhookSource(...)) first.");
        return endpoints.MapPost(pattern, (Delegate)((HttpContext context) => HandleAsync(context, source)));
    }

    private static async Task<IResult> HandleAsync(HttpContext context, WebhookSource source)
    {
        var limit = source.Options.MaxBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            return Results.Problem("The body is larger than the webhook accepts.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        using var body = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            body.Write(buffer, 0, read);
            if (body.Length > limit)
            {
                return Results.Problem("The body is larger than the webhook accepts.", statusCode: StatusCodes.Status413PayloadTooLarge);
            }
        }
        var verdict = source.Accept(
            context.Request.Headers[WebhookSignature.TimestampHeader].ToString(),
            context.Request.Headers[WebhookSignature.SignatureHeader].ToString(),
            body.GetBuffer().AsSpan(0, (int)body.Length),
            out var problem);
        return verdict switch
        {
            WebhookVerdict.Accepted => Results.NoContent(),
            WebhookVerdict.Replayed => Results.Problem("This signed request was already accepted.", statusCode: StatusCodes.Status409Conflict),
            WebhookVerdict.TooLarge => Results.Problem("The body is larger than the webhook accepts.", statusCode: StatusCodes.Status413PayloadTooLarge),
            WebhookVerdict.Malformed => Results.Problem($"{problem}.", statusCode: StatusCodes.Status400BadRequest, title: "Not a valid maintenance value"),
            _ => Results.Problem($"Refused: {verdict}. Sign timestamp + \".\" + body with HMAC-SHA256 and send {WebhookSignature.TimestampHeader} and {WebhookSignature.SignatureHeader}.",
                statusCode: StatusCodes.Status401Unauthorized),
        };
    }
}
