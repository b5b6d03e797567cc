using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors;

/// <summary>Relays filtered EventStream events to a callback for <see cref="IMaintenance.Subscribe"/>.</summary>
internal sealed class EventSubscriberActor : ReceiveActor
{
    private ILogger Log => _log ??= Context.System.LoggerFor(GetType());
    private ILogger? _log;

    internal static readonly Type[] DefaultEventTypes =
    {
        typeof(MaintenanceStateChanged), typeof(MaintenanceTransitionCompleted), typeof(SourceHealthChanged), typeof(ResourceHealthChanged),
    };

    private readonly MaintenanceEventFilter _filter;

    public EventSubscriberActor(MaintenanceEventFilter filter, Action<object> handler)
    {
        _filter = filter;
        ReceiveAny(e =>
        {
            if (!_filter.Accepts(e))
            {
                return;
            }
            try
            {
                handler(e);
            }
            catch (Exception ex)
            {
                // A subscriber's bug must not restart the relay and lose its subscription.
                Log.LogError(ex, "Maintenance subscriber threw while handling {EventType}", e.GetType().Name);
            }
        });
    }
}
