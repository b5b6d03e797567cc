using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Samples;

/// <summary>The body of POST and PUT /users in both users-API samples.</summary>
internal sealed record UserInput(string? Name, string? Email);

/// <summary>Reads a <see cref="UserInput"/>: bad JSON or a missing field is a 400 problem+json naming what is wrong.</summary>
internal static class UserInputReader
{
    public static async Task<(UserInput? Input, IResult? Problem)> ReadAsync(HttpRequest request, JsonSerializerOptions options, CancellationToken ct)
    {
        UserInput? input;
        try
        {
            input = await JsonSerializer.DeserializeAsync<UserInput>(request.Body, options, ct);
        }
        catch (JsonException ex)
        {
            return (null, Results.Problem(statusCode: 400, title: "Invalid JSON", detail: ex.Message));
        }
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input?.Name))
        {
            errors["name"] = ["name is required"];
        }
        if (string.IsNullOrWhiteSpace(input?.Email))
        {
            errors["email"] = ["email is required"];
        }
        return errors.Count > 0 ? (null, Results.ValidationProblem(errors, title: "Missing field")) : (input, null);
    }
}
