namespace MaintenanceActors.Dashboard.Tests;

public sealed class DashboardOptionsTests
{
    private static DashboardOptions Valid() => new() { Endpoints = ["127.0.0.1:2379"] };

    [Fact]
    public void Should_default_to_port_8090_on_loopback_with_the_contract_prefixes()
    {
        var options = Valid();

        options.Validate();
        options.Port.Should().Be(8090);
        options.BindAddress.Should().Be("127.0.0.1");
        options.MaintenancePrefix.Should().Be("/maintenance/");
        options.StatusPrefix.Should().Be("/maintenance-status/");
        options.By.Should().Contain("@");
        options.WatchPrefix.Should().Be("/maintenance", "one watch covers both prefixes");
    }

    [Theory]
    [InlineData("Port", "Dashboard:Port")]
    [InlineData("BindAddress", "Dashboard:BindAddress")]
    [InlineData("AuthToken", "Dashboard:AuthToken")]
    [InlineData("MaintenancePrefix", "Dashboard:MaintenancePrefix")]
    [InlineData("StatusPrefix", "Dashboard:StatusPrefix")]
    [InlineData("Overlap", "Dashboard:StatusPrefix")]
    [InlineData("Endpoints", "Dashboard:Etcd:Endpoints")]
    [InlineData("Password", "Dashboard:Etcd:Password")]
    [InlineData("By", "Dashboard:By")]
    [InlineData("TimelineCapacity", "Dashboard:TimelineCapacity")]
    [InlineData("KeepAliveInterval", "Dashboard:KeepAliveInterval")]
    public void Must_name_the_bad_field(string field, string named)
    {
        var options = Valid();
        switch (field)
        {
            case "Port": options.Port = 70000; break;
            case "BindAddress": options.BindAddress = "my laptop"; break;
            case "AuthToken": options.AuthToken = "short"; break;
            case "MaintenancePrefix": options.MaintenancePrefix = "maintenance"; break;
            case "StatusPrefix": options.StatusPrefix = "/status"; break;
            case "Overlap": options.StatusPrefix = "/maintenance/status/"; break;
            case "Endpoints": options.Endpoints = []; break;
            case "Password": options.Username = "root"; break;
            case "By": options.By = " "; break;
            case "TimelineCapacity": options.TimelineCapacity = 0; break;
            case "KeepAliveInterval": options.KeepAliveInterval = TimeSpan.Zero; break;
        }

        var act = options.Validate;

        act.Should().Throw<MaintenanceConfigurationException>().Which.Field.Should().Be(named);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("::1")]
    [InlineData("[::1]")]
    [InlineData("0.0.0.0")]
    public void Should_accept_an_ip_address_or_localhost_to_bind(string address)
    {
        var options = Valid();
        options.BindAddress = address;

        options.Invoking(o => o.Validate()).Should().NotThrow();
    }
}
