namespace MaintenanceActors;

/// <summary>Which maintenance events a subscriber (the supervisor, or <c>IMaintenance.Subscribe</c>) takes: by source, event type and predicate.</summary>
public sealed class MaintenanceEventFilter
{
    /// <summary>Takes every event.</summary>
    public static readonly MaintenanceEventFilter All = new();

    /// <summary>Only events whose source is listed (events without a source pass); null = all sources.</summary>
    public IReadOnlyCollection<string>? Sources { get; init; }

    /// <summary>Only events of these types (or subtypes); null = every maintenance event type.</summary>
    public IReadOnlyCollection<Type>? EventTypes { get; init; }

    /// <summary>A last check on the event itself; null = accept.</summary>
    public Func<object, bool>? Predicate { get; init; }

    /// <summary>Only these sources.</summary>
    public static MaintenanceEventFilter FromSources(params string[] sources) => new() { Sources = sources };

    /// <summary>Only this event type, optionally with a predicate.</summary>
    public static MaintenanceEventFilter Of<TEvent>(Func<TEvent, bool>? predicate = null) => new()
    {
        EventTypes = new[] { typeof(TEvent) },
        Predicate = predicate is null ? null : e => e is TEvent t && predicate(t),
    };

    /// <summary>True when <paramref name="event"/> passes every part of the filter.</summary>
    public bool Accepts(object @event)
    {
        if (EventTypes is not null && !EventTypes.Any(t => t.IsInstanceOfType(@event)))
        {
            return false;
        }
        if (Sources is not null && SourceOf(@event) is { } source && !Sources.Contains(source, StringComparer.Ordinal))
        {
            return false;
        }
        return Predicate?.Invoke(@event) ?? true;
    }

    internal static string? SourceOf(object @event) => @event switch
    {
        MaintenanceStateChanged changed => changed.Source,
        SourceHealthChanged health => health.Health.Source,
        _ => null,
    };
}
