using System.Threading.Channels;

namespace MaintenanceActors.Dashboard.Watch;

/// <summary>One page's queue of events; bounded, so a page that stops reading is cut off instead of growing without limit.</summary>
internal sealed class FleetSubscription : IDisposable
{
    private readonly FleetState _state;
    private readonly Channel<FleetEvent> _events;

    internal FleetSubscription(FleetState state, int capacity)
    {
        _state = state;
        _events = Channel.CreateBounded<FleetEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails, and the state cuts the page off
        });
    }

    /// <summary>The events, in order; ends when the page was cut off for falling behind.</summary>
    public ChannelReader<FleetEvent> Events => _events.Reader;

    internal bool TryPublish(FleetEvent fleetEvent) => _events.Writer.TryWrite(fleetEvent);

    internal void Overflowed() => _events.Writer.TryComplete();

    public void Dispose()
    {
        _state.Unsubscribe(this);
        _events.Writer.TryComplete();
    }
}
