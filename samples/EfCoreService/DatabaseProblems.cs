using System.Data.Common;
using MaintenanceActors;
using Microsoft.AspNetCore.Diagnostics;

namespace Samples;

/// <summary>
/// Turns a database that cannot be reached, or a connection refused in maintenance, into 503 problem+json (never a 500 with
/// a stack trace): the client should retry, the service is fine.
/// </summary>
internal sealed class DatabaseProblems(IProblemDetailsService problems, ILogger<DatabaseProblems> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (title, detail) = Find<MaintenanceException>(exception) is { } maintenance
            ? ("Service in maintenance", maintenance.Message)
            : Find<DbException>(exception) is { } db ? ("Database unavailable", db.Message)
            : Find<TimeoutException>(exception) is { } timeout ? ("Database unavailable", timeout.Message)
            : (null, null);
        if (title is null)
        {
            return false;
        }
        log.LogWarning("{Method} {Path} answered 503: {Title}: {Detail}", context.Request.Method, context.Request.Path, title, detail);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = 503, Title = title, Detail = detail },
        });
    }

    private static T? Find<T>(Exception? exception) where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }
        return null;
    }
}
