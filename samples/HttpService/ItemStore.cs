using System.Collections.Concurrent;

namespace HttpService;

/// <summary>An item of the sample API.</summary>
public sealed record Item(int Id, string Name, decimal Price);

/// <summary>What POST /items accepts.</summary>
public sealed record NewItem(string Name, decimal Price);

/// <summary>An in-memory item store, so the sample needs nothing but etcd.</summary>
internal sealed class ItemStore
{
    private readonly ConcurrentDictionary<int, Item> _items = new();
    private int _lastId;

    public ItemStore()
    {
        Add(new NewItem("keyboard", 49.90m));
        Add(new NewItem("mouse", 19.90m));
    }

    public IReadOnlyList<Item> All() => _items.Values.OrderBy(i => i.Id).ToArray();

    public Item? Find(int id) => _items.GetValueOrDefault(id);

    public Item Add(NewItem item)
    {
        var created = new Item(Interlocked.Increment(ref _lastId), item.Name, item.Price);
        _items[created.Id] = created;
        return created;
    }
}
