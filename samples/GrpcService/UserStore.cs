using System.Collections.Concurrent;
using GrpcService.Users;

namespace GrpcService;

/// <summary>An in-memory user store, so the sample needs nothing but etcd.</summary>
internal sealed class UserStore
{
    private readonly ConcurrentDictionary<int, User> _users = new();
    private int _lastId;

    public UserStore()
    {
        Create("Ada Lovelace", "ada@example.org");
        Create("Alan Turing", "alan@example.org");
        Create("Grace Hopper", "grace@example.org");
    }

    public User? Find(int id) => _users.GetValueOrDefault(id);

    public IReadOnlyList<User> All() => _users.Values.OrderBy(u => u.Id).ToArray();

    public User Create(string name, string email)
    {
        var user = new User { Id = Interlocked.Increment(ref _lastId), Name = name, Email = email };
        _users[user.Id] = user;
        return user;
    }
}
