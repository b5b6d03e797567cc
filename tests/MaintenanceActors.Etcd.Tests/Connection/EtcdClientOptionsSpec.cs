namespace MaintenanceActors.Etcd.Tests.Connection;

public sealed class EtcdClientOptionsSpec
{
    [Fact]
    public void Must_accept_endpoints_the_way_etcdctl_does()
    {
        var options = new EtcdClientOptions { Endpoints = EtcdClientOptions.ParseEndpoints(" 127.0.0.1:2379, http://10.0.0.2:2379 ,https://etcd:2379") };

        options.Validate();

        options.GetEndpointUris().Should().Equal(
            new Uri("http://127.0.0.1:2379/"), new Uri("http://10.0.0.2:2379/"), new Uri("https://etcd:2379/"));
    }

    [Theory]
    [InlineData("[::1]:2379", "http://[::1]:2379/")]
    [InlineData("http://[::1]:2379", "http://[::1]:2379/")]
    [InlineData("https://[2001:db8::7]:2379/", "https://[2001:db8::7]:2379/")]
    [InlineData("HTTP://Etcd-1:2379", "http://etcd-1:2379/")]
    public void Must_accept_IPv6_literals_and_normalize_an_endpoint(string endpoint, string expected)
    {
        var options = new EtcdClientOptions { Endpoints = [endpoint] };

        options.Validate();

        options.GetEndpointUris().Should().Equal(new Uri(expected));
    }

    [Fact]
    public void Must_ignore_spaces_empty_entries_and_trailing_commas_in_an_endpoint_list()
    {
        var options = new EtcdClientOptions { Endpoints = [" 127.0.0.1:2379 ,, 127.0.0.1:2380,", "", " "] };

        options.Validate();

        options.GetEndpointUris().Should().Equal(new Uri("http://127.0.0.1:2379/"), new Uri("http://127.0.0.1:2380/"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:2379/v3", "path '/v3'")]
    [InlineData("http://127.0.0.1:2379?x=1", "query")]
    [InlineData("http://user:pw@127.0.0.1:2379", "user name or password")]
    [InlineData("127.0.0.1", "no port")]
    [InlineData("::1:2379", "IPv6 address in brackets")]
    public void Must_reject_an_endpoint_the_client_would_otherwise_silently_change_saying_what_to_write(string endpoint, string problem)
    {
        var validate = () => new EtcdClientOptions { Endpoints = [endpoint] }.Validate();

        validate.Should().Throw<ArgumentException>().WithMessage($"*'{endpoint}'*{problem}*").Which.ParamName.Should().Be("Endpoints");
    }

    [Fact]
    public void Must_name_the_endpoints_field_when_none_is_given()
    {
        var validate = () => new EtcdClientOptions().Validate();

        validate.Should().Throw<ArgumentException>().WithMessage("EtcdClientOptions.Endpoints must name at least one endpoint*")
            .Which.ParamName.Should().Be("Endpoints");
    }

    [Theory]
    [InlineData("ftp://host:21", "Endpoints")]
    [InlineData("http://", "Endpoints")]
    public void Must_reject_an_invalid_endpoint(string endpoint, string field)
    {
        var validate = () => new EtcdClientOptions { Endpoints = [endpoint] }.Validate();

        validate.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(field);
    }

    [Fact]
    public void Must_require_username_and_password_together()
    {
        var validate = () => new EtcdClientOptions { Endpoints = ["127.0.0.1:2379"], Username = "root" }.Validate();

        validate.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("Password");
    }

    [Fact]
    public void Must_require_the_client_key_with_the_client_certificate_and_existing_files()
    {
        var missingKey = () => new EtcdClientOptions { Endpoints = ["127.0.0.1:2379"], ClientCertificatePath = "/tmp/x.pem" }.Validate();
        var missingFile = () => new EtcdClientOptions { Endpoints = ["127.0.0.1:2379"], CaCertificatePath = "/nonexistent/ca.pem" }.Validate();

        missingKey.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("ClientKeyPath");
        missingFile.Should().Throw<ArgumentException>().WithMessage("*does not exist*").Which.ParamName.Should().Be("CaCertificatePath");
    }

    [Fact]
    public void Must_reject_a_non_positive_timeout_and_message_size()
    {
        var timeout = () => new EtcdClientOptions { Endpoints = ["127.0.0.1:2379"], RequestTimeout = TimeSpan.Zero }.Validate();
        var size = () => new EtcdClientOptions { Endpoints = ["127.0.0.1:2379"], MaxMessageSize = 0 }.Validate();

        timeout.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("RequestTimeout");
        size.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("MaxMessageSize");
    }

    [Theory]
    [InlineData(nameof(EtcdClientOptions.RequestTimeout))]
    [InlineData(nameof(EtcdClientOptions.ConnectTimeout))]
    [InlineData(nameof(EtcdClientOptions.KeepAlivePingDelay))]
    public void Must_reject_a_timeout_longer_than_timers_can_wait_naming_the_field(string field)
    {
        var options = new EtcdClientOptions { Endpoints = ["127.0.0.1:2379"] };
        typeof(EtcdClientOptions).GetProperty(field)!.SetValue(options, TimeSpan.FromDays(100));

        var validate = () => options.Validate();

        validate.Should().Throw<ArgumentException>().WithMessage($"EtcdClientOptions.{field} must be at most 24 days*100.00:00:00*")
            .Which.ParamName.Should().Be(field);
    }

    [Theory]
    [InlineData("a", "b")]
    [InlineData("a\u00ff", "b")]
    [InlineData("/x/", "/x0")]
    public void Must_compute_the_range_end_of_a_prefix(string prefix, string expectedEnd)
    {
        EtcdKeys.PrefixEnd(Google.Protobuf.ByteString.CopyFrom(System.Text.Encoding.Latin1.GetBytes(prefix)))
            .ToByteArray().Should().Equal(System.Text.Encoding.Latin1.GetBytes(expectedEnd));
    }
}
