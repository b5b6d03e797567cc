namespace MaintenanceActors.Actors;

/// <summary>The hierarchical name of an actor, printed like Akka: <c>/user/supervisor/child</c>.</summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    private string? _text;

    internal ActorPath(ActorPath? parent, string name)
    {
        Parent = parent;
        Name = name;
    }

    /// <summary>The last element of the path.</summary>
    public string Name { get; }

    /// <summary>The parent path; null for a root such as <c>/user</c>.</summary>
    public ActorPath? Parent { get; }

    internal static ActorPath Root(string name) => new(null, name);

    internal ActorPath Child(string name) => new(this, name);

    /// <inheritdoc />
    public override string ToString() => _text ??= Parent is null ? "/" + Name : Parent.ToString() + "/" + Name;

    /// <inheritdoc />
    public bool Equals(ActorPath? other) => other is not null && (ReferenceEquals(this, other) || ToString() == other.ToString());

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ActorPath other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
