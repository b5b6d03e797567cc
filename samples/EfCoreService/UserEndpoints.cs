using Samples;
using System.Data.Common;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EfCoreService;

/// <summary>The users API of the reference service: CRUD with problem+json errors (400 bad input, 404, 409 duplicate email).</summary>
internal static class UserEndpoints
{
    public static void MapUsers(this WebApplication app)
    {
        app.MapGet("/users", async (UsersDb db, CancellationToken ct) => await db.Users.AsNoTracking().OrderBy(u => u.Id).ToListAsync(ct));

        app.MapGet("/users/{id:long}", async (long id, UsersDb db, CancellationToken ct) =>
            await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct) is { } user ? Results.Ok(user) : NotFound(id));

        app.MapPost("/users", async (HttpRequest request, UsersDb db, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            var (input, problem) = await UserInputReader.ReadAsync(request, json.Value.SerializerOptions, ct);
            if (problem is not null)
            {
                return problem;
            }
            var now = DateTime.UtcNow;
            var user = new User { Name = input!.Name!, Email = input.Email!, CreatedAt = now, UpdatedAt = now };
            db.Users.Add(user);
            return await SaveAsync(db, ct) ?? Results.Created($"/users/{user.Id}", user);
        });

        app.MapPut("/users/{id:long}", async (long id, HttpRequest request, UsersDb db, IOptions<JsonOptions> json, CancellationToken ct) =>
        {
            var (input, problem) = await UserInputReader.ReadAsync(request, json.Value.SerializerOptions, ct);
            if (problem is not null)
            {
                return problem;
            }
            if (await db.Users.FirstOrDefaultAsync(u => u.Id == id, ct) is not { } user)
            {
                return NotFound(id);
            }
            user.Name = input!.Name!;
            user.Email = input.Email!;
            user.UpdatedAt = DateTime.UtcNow;
            return await SaveAsync(db, ct) ?? Results.Ok(user);
        });

        app.MapDelete("/users/{id:long}", async (long id, UsersDb db, CancellationToken ct) =>
            await db.Users.Where(u => u.Id == id).ExecuteDeleteAsync(ct) > 0 ? Results.NoContent() : NotFound(id));
    }

    // Null when saved; a 409 problem when the email is taken.
    private static async Task<IResult?> SaveAsync(UsersDb db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException ex) when (IsUniqueViolation(ex.InnerException))
        {
            return Results.Problem(statusCode: 409, title: "Email already in use", detail: "Another user has this email address.");
        }
    }

    private static bool IsUniqueViolation(Exception? ex) => ex switch
    {
        Npgsql.PostgresException pg => pg.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode == 19, // SQLITE_CONSTRAINT
        _ => false,
    };

    private static IResult NotFound(long id) => Results.Problem(statusCode: 404, title: "User not found", detail: $"No user with id {id}.");
}
