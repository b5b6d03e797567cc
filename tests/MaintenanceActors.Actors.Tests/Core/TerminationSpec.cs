using System.Collections.Concurrent;

namespace MaintenanceActors.Actors.Tests.Core;

public sealed class TerminationSpec
{
    [Fact]
    public async Task Must_run_PostStop_of_children_before_their_parents_on_Terminate()
    {
        var stops = new ConcurrentQueue<string>();
        var system = ActorSystem.Create("termination");
        var root = system.ActorOf(Props.Create(() => new Node(stops, 2, 2)), "root");
        await root.Ask<string>("ready", TimeSpan.FromSeconds(10));

        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(20));

        var order = stops.ToList();
        order.Should().HaveCount(1 + 2 + 4);
        foreach (var path in order)
        {
            var parent = path[..path.LastIndexOf('/')];
            if (parent != "/user")
            {
                order.IndexOf(path).Should().BeLessThan(order.IndexOf(parent), $"{path} stops before its parent");
            }
        }

        system.WhenTerminated.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task Must_stop_children_before_the_parent_when_the_parent_is_stopped()
    {
        var stops = new ConcurrentQueue<string>();
        await using var system = ActorSystem.Create("stop-parent");
        var root = system.ActorOf(Props.Create(() => new Node(stops, 1, 3)), "parent");
        await root.Ask<string>("ready", TimeSpan.FromSeconds(10));

        system.Stop(root);
        await WaitUntil(() => stops.Count == 4);

        stops.Last().Should().Be("/user/parent");
    }

    [Fact]
    public async Task Must_refuse_new_actors_once_terminating()
    {
        var system = ActorSystem.Create("closing");
        await system.Terminate();

        var act = () => system.ActorOf(Props.Create(() => new Node(new ConcurrentQueue<string>(), 0, 0)));

        act.Should().Throw<InvalidOperationException>().WithMessage("*closing*terminating*");
    }

    [Fact]
    public async Task Must_terminate_an_empty_system_and_allow_repeated_calls()
    {
        var system = ActorSystem.Create("empty");

        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        await system.DisposeAsync();

        system.WhenTerminated.IsCompleted.Should().BeTrue();
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the condition should hold within 20 s");
            await Task.Delay(10);
        }
    }

    private sealed class Node : ReceiveActor
    {
        private readonly ConcurrentQueue<string> _stops;
        private readonly List<IActorRef> _children = [];

        public Node(ConcurrentQueue<string> stops, int depth, int fanOut)
        {
            _stops = stops;
            if (depth > 0)
            {
                for (var i = 0; i < fanOut; i++)
                {
                    _children.Add(Context.ActorOf(Props.Create(() => new Node(stops, depth - 1, fanOut)), "n" + i));
                }
            }

            ReceiveAsync<string>(async _ =>
            {
                var sender = Sender;
                foreach (var child in _children)
                {
                    await child.Ask<string>("ready", TimeSpan.FromSeconds(10));
                }

                sender.Tell("ready");
            });
        }

        protected override void PostStop() => _stops.Enqueue(Self.Path.ToString());
    }
}
