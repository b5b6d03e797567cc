using MaintenanceActors;

namespace MaintenanceActors.Tests.Options;

public sealed class OptionsValidationSpec
{
    private static EtcdSourceOptions ValidEtcd() => new() { Endpoints = { "127.0.0.1:2379" }, Key = "/maintenance/svc" };

    [Fact]
    public void Must_accept_valid_defaults()
    {
        var coordinator = new MaintenanceOptions();
        FluentActions.Invoking(() => coordinator.Validate()).Should().NotThrow();
        // The documented defaults, which validation must accept as they are.
        coordinator.Should().BeEquivalentTo(new
        {
            DrainTimeout = TimeSpan.FromSeconds(30),
            ResumeTimeout = TimeSpan.FromSeconds(10),
            Debounce = TimeSpan.Zero,
            RestartMinBackoff = TimeSpan.FromMilliseconds(100),
            RestartMaxBackoff = TimeSpan.FromSeconds(10),
            ReplyGrace = TimeSpan.FromSeconds(2),
            ShutdownDrainTimeout = TimeSpan.FromSeconds(20),
        });
        FluentActions.Invoking(() => ValidEtcd().Validate()).Should().NotThrow();
        FluentActions.Invoking(() => new FileSourceOptions { Path = "/tmp/m" }.Validate()).Should().NotThrow();
        FluentActions.Invoking(() => new WebhookSourceOptions { Secret = new string('s', 16) }.Validate()).Should().NotThrow("16 characters is the shortest secret");
        FluentActions.Invoking(() => new ResourceOptions { DrainTimeout = TimeSpan.FromSeconds(1) }.Validate("http")).Should().NotThrow();
        FluentActions.Invoking(() => new ResourceOptions().Validate("http")).Should().NotThrow("a resource without its own timeout uses the coordinator's");
    }

    [Fact]
    public void Must_read_bare_and_absolute_endpoints()
    {
        var options = ValidEtcd();
        options.Endpoints = EtcdSourceOptions.SplitEndpoints("127.0.0.1:2379, http://host:2379 ,http://host:2379,http://other:2379");
        options.Validate();
        options.EndpointUris().Select(u => u.ToString()).Should().Equal(
            "http://127.0.0.1:2379/", "http://host:2379/", "http://other:2379/");
        options.Endpoints = ["https://secure:2379"];
        options.EndpointUris().Select(u => u.ToString()).Should().Equal("https://secure:2379/");
    }

    [Fact]
    public void Must_refuse_http_and_https_endpoints_together_since_one_client_channel_carries_all()
    {
        var options = ValidEtcd();
        options.Endpoints = EtcdSourceOptions.SplitEndpoints("127.0.0.1:2379, https://secure:2379");

        var error = FluentActions.Invoking(() => options.Validate()).Should().Throw<MaintenanceConfigurationException>().Which;

        error.Field.Should().Be("Maintenance:Etcd:Endpoints");
        error.Message.Should().Contain("mixes http:// and https://");
    }

    [Fact]
    public void Must_read_a_bare_endpoint_as_https_when_a_ca_is_set_as_the_etcd_client_does()
    {
        var ca = Path.GetTempFileName();
        try
        {
            var options = ValidEtcd();
            options.CaCertificatePath = ca;
            options.Validate();

            options.EndpointUris().Select(u => u.ToString()).Should().Equal("https://127.0.0.1:2379/");
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:2379/v3", "has a path")]
    [InlineData("127.0.0.1", "has no port")]
    public void Must_refuse_an_endpoint_the_client_would_refuse_at_start_up_saying_why(string endpoint, string problem)
    {
        var options = ValidEtcd();
        options.Endpoints = [endpoint];

        var error = FluentActions.Invoking(() => options.Validate()).Should().Throw<MaintenanceConfigurationException>().Which;

        error.Field.Should().Be("Maintenance:Etcd:Endpoints");
        error.Message.Should().Contain(endpoint).And.Contain(problem);
    }

    public static TheoryData<Action<EtcdSourceOptions>, string, string> EtcdErrors => new()
    {
        { o => o.Endpoints.Clear(), "Maintenance:Etcd:Endpoints", "must name at least one endpoint (e.g. http://127.0.0.1:2379)" },
        { o => o.Endpoints = new() { "ftp://x:1" }, "Maintenance:Etcd:Endpoints", "ftp://x:1" },
        { o => o.Key = " ", "Maintenance:Etcd:Key", "must name the maintenance key" },
        { o => o.SourceName = "", "Maintenance:Etcd:SourceName", "must not be empty" },
        { o => o.Username = "root", "Maintenance:Etcd:Password", "both Username and Password" },
        { o => o.Password = "pw", "Maintenance:Etcd:Username", "both Username and Password" },
        { o => o.ReconnectMinBackoff = TimeSpan.Zero, "Maintenance:Etcd:ReconnectMinBackoff", "positive" },
        { o => o.ReconnectMaxBackoff = TimeSpan.FromMilliseconds(1), "Maintenance:Etcd:ReconnectMaxBackoff", "ReconnectMinBackoff" },
        { o => o.ReconnectJitter = 1.5, "Maintenance:Etcd:ReconnectJitter", "between 0 and 1" },
        { o => o.MaxValueBytes = 0, "Maintenance:Etcd:MaxValueBytes", "positive" },
    };

    [Theory]
    [MemberData(nameof(EtcdErrors))]
    public void Must_reject_each_invalid_etcd_option_naming_the_field(Action<EtcdSourceOptions> breakIt, string field, string hint)
    {
        var options = ValidEtcd();
        breakIt(options);
        var error = FluentActions.Invoking(() => options.Validate()).Should().Throw<MaintenanceConfigurationException>().Which;
        error.Field.Should().Be(field);
        error.Message.Should().StartWith(field).And.Contain(hint);
    }

    public static TheoryData<Action<MaintenanceOptions>, string> CoordinatorErrors => new()
    {
        { o => o.DrainTimeout = TimeSpan.Zero, "Maintenance:DrainTimeout" },
        { o => o.ResumeTimeout = TimeSpan.FromSeconds(-1), "Maintenance:ResumeTimeout" },
        { o => o.Debounce = TimeSpan.FromSeconds(-1), "Maintenance:Debounce" },
        { o => o.RestartMinBackoff = TimeSpan.Zero, "Maintenance:RestartMinBackoff" },
        { o => o.RestartMaxBackoff = TimeSpan.FromTicks(1), "Maintenance:RestartMaxBackoff" },
        { o => o.ReplyGrace = TimeSpan.FromSeconds(-1), "Maintenance:ReplyGrace" },
    };

    [Theory]
    [MemberData(nameof(CoordinatorErrors))]
    public void Must_reject_each_invalid_coordinator_option_naming_the_field(Action<MaintenanceOptions> breakIt, string field)
    {
        var options = new MaintenanceOptions();
        breakIt(options);
        FluentActions.Invoking(() => options.Validate()).Should().Throw<MaintenanceConfigurationException>()
            .Which.Field.Should().Be(field);
    }

    [Fact]
    public void Must_reject_invalid_file_webhook_and_resource_options()
    {
        FluentActions.Invoking(() => new FileSourceOptions().Validate()).Should().Throw<MaintenanceConfigurationException>()
            .Which.Field.Should().Be("Maintenance:File:Path");
        FluentActions.Invoking(() => new FileSourceOptions { Path = "/x", PollInterval = TimeSpan.Zero }.Validate())
            .Should().Throw<MaintenanceConfigurationException>().Which.Field.Should().Be("Maintenance:File:PollInterval");
        FluentActions.Invoking(() => new WebhookSourceOptions { Secret = "short" }.Validate())
            .Should().Throw<MaintenanceConfigurationException>().Which.Field.Should().Be("Maintenance:Webhook:Secret");
        FluentActions.Invoking(() => new WebhookSourceOptions { Secret = new string('s', 20), Tolerance = TimeSpan.Zero }.Validate())
            .Should().Throw<MaintenanceConfigurationException>().Which.Field.Should().Be("Maintenance:Webhook:Tolerance");
        FluentActions.Invoking(() => new ResourceOptions { DrainTimeout = TimeSpan.Zero }.Validate("db"))
            .Should().Throw<MaintenanceConfigurationException>().Which.Field.Should().Be("Maintenance:Resources:db:DrainTimeout");
    }
}
