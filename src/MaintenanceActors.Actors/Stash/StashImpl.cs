using MaintenanceActors.Actors.Dispatch;

namespace MaintenanceActors.Actors.Stash;

/// <summary>The per-actor stash; it outlives restarts (its content is returned to the mailbox on restart).</summary>
internal sealed class StashImpl(ActorCell cell) : IStash
{
    private readonly List<Envelope> _items = [];

    public void Stash()
    {
        var envelope = cell.CurrentEnvelope();
        if (_items.Count > 0 && ReferenceEquals(_items[^1].Message, envelope.Message))
        {
            throw new InvalidOperationException($"{cell.Path}: the message {envelope.Message.GetType().Name} was already stashed.");
        }

        _items.Add(envelope);
    }

    public void Unstash()
    {
        if (_items.Count == 0)
        {
            return;
        }

        var first = _items[0];
        _items.RemoveAt(0);
        cell.Prepend([first]);
    }

    public void UnstashAll() => ReturnAllToMailbox();

    public IReadOnlyList<object> ClearStash()
    {
        var messages = _items.Select(e => e.Message).ToArray();
        _items.Clear();
        return messages;
    }

    internal void ReturnAllToMailbox()
    {
        if (_items.Count == 0)
        {
            return;
        }

        cell.Prepend(_items);
        _items.Clear();
    }

    internal IReadOnlyList<Envelope> TakeAll()
    {
        var all = _items.ToArray();
        _items.Clear();
        return all;
    }
}
