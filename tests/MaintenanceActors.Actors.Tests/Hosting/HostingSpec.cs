using System.Collections.Concurrent;
using MaintenanceActors.Actors.Hosting;
using MaintenanceActors.Actors.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MaintenanceActors.Actors.Tests.Hosting;

public sealed class HostingSpec
{
    [Fact]
    public async Task Must_start_actors_with_the_host_and_stop_them_with_it()
    {
        var stopped = new ConcurrentQueue<string>();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new Greeting("hello"));
        builder.Services.AddSingleton(stopped);
        builder.Services.AddActorSystem("hosted", b => b.WithActors((system, registry, _) =>
            registry.Register<Greeter>(system.ActorOf(Props.FromServices<Greeter>(), "greeter"))));
        using var host = builder.Build();

        await host.StartAsync();
        var greeter = host.Services.GetRequiredService<IRequiredActor<Greeter>>().ActorRef;
        var reply = await greeter.Ask<string>("world", TimeSpan.FromSeconds(10));
        var system = host.Services.GetRequiredService<ActorSystem>();
        await host.StopAsync(TimeSpan.FromSeconds(10));

        reply.Should().Be("hello world");
        system.Name.Should().Be("hosted");
        system.WhenTerminated.IsCompleted.Should().BeTrue();
        stopped.Should().Equal("/user/greeter");
    }

    [Fact]
    public async Task Must_use_the_hosts_TimeProvider_when_one_is_registered()
    {
        var clock = new ManualTimeProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddActorSystem("clocked");
        using var host = builder.Build();

        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        await host.StopAsync(TimeSpan.FromSeconds(10));

        system.TimeProvider.Should().BeSameAs(clock);
    }

    [Fact]
    public async Task Must_let_GetAsync_wait_for_a_registration_made_later()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddActorSystem("late");
        using var host = builder.Build();
        await host.StartAsync();
        var required = host.Services.GetRequiredService<IRequiredActor<Greeter>>();
        var registry = host.Services.GetRequiredService<ActorRegistry>();

        var pending = required.GetAsync();
        pending.IsCompleted.Should().BeFalse();
        var act = () => required.ActorRef;
        act.Should().Throw<KeyNotFoundException>().WithMessage("*Greeter*");
        var actor = host.Services.GetRequiredService<ActorSystem>().ActorOf(Props.Create(() => new Echo()), "late-echo");
        registry.Register<Greeter>(actor);

        (await pending.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(actor);
        var duplicate = () => registry.Register<Greeter>(actor);
        duplicate.Should().Throw<InvalidOperationException>().WithMessage("*already registered*");
        await host.StopAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Must_run_starters_in_the_order_they_were_added()
    {
        var order = new List<string>();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddActorSystem("ordered", b => b
            .WithActors((_, _, _) => order.Add("first"))
            .WithActors((_, _, _) => order.Add("second")));
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync(TimeSpan.FromSeconds(10));

        order.Should().Equal("first", "second");
    }

    [Fact]
    public async Task Must_keep_the_starters_of_every_AddActorSystem_call_on_one_system()
    {
        var started = new List<string>();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddActorSystem("first", b => b.WithActors((system, _, _) => started.Add("library on " + system.Name)));
        builder.Services.AddActorSystem("second", b => b.WithActors((system, _, _) => started.Add("app on " + system.Name)));
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync(TimeSpan.FromSeconds(10));

        // A second call used to replace the first one's builder: the library's actors silently never started.
        started.Should().Equal("library on first", "app on first");
    }

    private sealed record Greeting(string Text);

    private sealed class Greeter : ReceiveActor
    {
        private readonly ConcurrentQueue<string> _stopped;

        public Greeter(Greeting greeting, ConcurrentQueue<string> stopped)
        {
            _stopped = stopped;
            Receive<string>(name => Sender.Tell($"{greeting.Text} {name}"));
        }

        protected override void PostStop() => _stopped.Enqueue(Self.Path.ToString());
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }
}
