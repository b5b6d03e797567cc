using Grpc.Core;
using GrpcService.Users;

namespace GrpcService;

/// <summary>users.v1.UserService on the base class Grpc.Tools generates from Protos/users.proto.</summary>
internal sealed class UserService(UserStore store) : Users.UserService.UserServiceBase
{
    // Longest pause a client may ask for between streamed users.
    private const int MaxDelayMs = 60_000;

    public override Task<User> GetUser(GetUserRequest request, ServerCallContext context) =>
        Task.FromResult(store.Find(request.Id) ?? throw new RpcException(new Status(StatusCode.NotFound, $"No user with id {request.Id}")));

    public override Task<User> CreateUser(CreateUserRequest request, ServerCallContext context) =>
        string.IsNullOrWhiteSpace(request.Name)
            ? throw new RpcException(new Status(StatusCode.InvalidArgument, "name is required"))
            : Task.FromResult(store.Create(request.Name, request.Email));

    /// <summary>Streams every user; with delay_ms it is a long-lived stream, ended by the drain with UNAVAILABLE after EndCallsAfter.</summary>
    public override async Task ListUsers(ListUsersRequest request, IServerStreamWriter<User> responseStream, ServerCallContext context)
    {
        foreach (var user in store.All())
        {
            await responseStream.WriteAsync(user, context.CancellationToken);
            if (request.DelayMs > 0)
            {
                await Task.Delay(Math.Min(request.DelayMs, MaxDelayMs), context.CancellationToken);
            }
        }
    }
}
