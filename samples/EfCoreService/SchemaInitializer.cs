using Microsoft.EntityFrameworkCore;

namespace EfCoreService;

/// <summary>Creates the users table on start; while the database cannot be reached it keeps trying, so the service starts anyway.</summary>
internal sealed class SchemaInitializer(IServiceScopeFactory scopes, ILogger<SchemaInitializer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<UsersDb>().Database.EnsureCreatedAsync(stoppingToken);
                log.LogInformation("Schema ready");
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (attempt == 1)
                {
                    log.LogWarning("Cannot create the schema yet ({Error}); retrying every second", ex.Message);
                }
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
