using Microsoft.Extensions.DependencyInjection;

namespace MaintenanceActors.Actors.Tests.Core;

public sealed class PropsAndNamesSpec : TestKit.TestKit
{
    [Fact]
    public void Must_reject_null_props_with_a_clear_message()
    {
        var act = () => Sys.ActorOf(null!, "x");

        act.Should().Throw<ArgumentNullException>().WithMessage("*Props must not be null*");
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("slash/inside")]
    [InlineData("$reserved")]
    [InlineData("")]
    [InlineData("ümlaut")]
    public void Must_reject_invalid_names_naming_the_value(string name)
    {
        var act = () => Sys.ActorOf(Props.Create(() => new Quiet()), name);

        var error = act.Should().Throw<InvalidActorNameException>().Which;
        if (name.Length > 0)
        {
            error.Message.Should().Contain($"'{name}'");
        }
    }

    [Theory]
    [InlineData("simple")]
    [InlineData("with-dash_under.dot")]
    [InlineData("a*$+:@&=,!~';")]
    public void Must_accept_Akka_style_names(string name)
    {
        var actor = Sys.ActorOf(Props.Create(() => new Quiet()), name);

        actor.Path.ToString().Should().Be("/user/" + name);
        actor.Path.Name.Should().Be(name);
        actor.Path.Parent!.ToString().Should().Be("/user");
    }

    [Fact]
    public void Must_reject_a_duplicate_child_name()
    {
        Sys.ActorOf(Props.Create(() => new Quiet()), "twin");

        var act = () => Sys.ActorOf(Props.Create(() => new Quiet()), "twin");

        act.Should().Throw<InvalidActorNameException>().WithMessage("*'twin'*not unique*/user*");
    }

    [Fact]
    public void Must_generate_unique_names_when_none_is_given()
    {
        var a = Sys.ActorOf(Props.Create(() => new Quiet()));
        var b = Sys.ActorOf(Props.Create(() => new Quiet()));

        a.Path.Name.Should().StartWith("$");
        a.Path.Should().NotBe(b.Path);
    }

    [Fact]
    public void Must_reject_a_duplicate_name_inside_an_actor()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Twins()));

        parent.Tell("go");

        ExpectMsg<string>().Should().Contain("not unique");
    }

    [Fact]
    public void Must_create_actors_from_services_with_extra_arguments()
    {
        var services = new ServiceCollection().AddSingleton(new Greeting("hello")).BuildServiceProvider();
        using var kit = new ServiceKit(services);
        var actor = kit.Sys.ActorOf(Props.FromServices<Greeter>("world"));

        actor.Tell("greet", kit.TestActor);

        kit.TestActor.ExpectMsg("hello world");
    }

    [Fact]
    public void Must_reject_invalid_system_options_naming_the_field()
    {
        var act = () => ActorSystem.Create("bad", new ActorSystemOptions { DefaultAskTimeout = TimeSpan.FromSeconds(-2) });

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*DefaultAskTimeout*");
    }

    [Fact]
    public void Must_reject_a_factory_returning_the_same_instance()
    {
        Quiet? cached = null;
        var actor = Sys.ActorOf(Props.Create(() => cached ??= new Quiet()));
        Watch(actor);
        actor.Tell(new Crash());

        // The first instance is fine; the restart reuses it, fails to initialize and is stopped.
        ExpectTerminated(actor);
    }

    [Fact]
    public void Must_reject_a_negative_timer_timeout_naming_the_value()
    {
        var actor = Sys.ActorOf(Props.Create(() => new BadTimer(TimeSpan.FromSeconds(-5))));

        actor.Tell("start");

        ExpectMsg<string>().Should().Contain("-00:00:05");
    }

    [Fact]
    public void Must_reject_a_timer_timeout_beyond_what_a_timer_can_wait_naming_the_timer_and_the_value()
    {
        var actor = Sys.ActorOf(Props.Create(() => new BadTimer(TimeSpan.FromDays(100))), "long-timer");

        actor.Tell("start");

        ExpectMsg<string>().Should().Contain("Timer 'k' of /user/long-timer").And.Contain("100.00:00:00");
    }

    private sealed record Greeting(string Text);

    private sealed record Crash;

    private sealed class Quiet : ReceiveActor
    {
        public Quiet() => Receive<Crash>(_ => throw new InvalidOperationException("crash"));
    }

    private sealed class Twins : ReceiveActor
    {
        public Twins()
        {
            Receive<string>(_ =>
            {
                Context.ActorOf(Props.Create(() => new Quiet()), "same");
                try
                {
                    Context.ActorOf(Props.Create(() => new Quiet()), "same");
                }
                catch (InvalidActorNameException ex)
                {
                    Sender.Tell(ex.Message);
                }
            });
        }
    }

    private sealed class Greeter : ReceiveActor
    {
        public Greeter(Greeting greeting, string name) => Receive<string>(_ => Sender.Tell($"{greeting.Text} {name}"));
    }

    private sealed class BadTimer : ReceiveActor, IWithTimers
    {
        public BadTimer(TimeSpan timeout)
        {
            Receive<string>(_ =>
            {
                try
                {
                    Timers.StartSingleTimer("k", "m", timeout);
                }
                catch (ArgumentOutOfRangeException ex)
                {
                    Sender.Tell(ex.Message);
                }
            });
        }

        public ITimerScheduler Timers { get; set; } = null!;
    }

    private sealed class ServiceKit(IServiceProvider services) : TestKit.TestKit(new ActorSystemOptions { Services = services });
}
