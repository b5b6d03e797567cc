using MaintenanceActors.Etcd;

namespace MaintenanceActors.Tests.Options;

/// <summary>How <see cref="EtcdSourceOptions"/> reads etcd endpoints: as etcdctl takes them, refusing what the client would silently change.</summary>
public sealed class EtcdEndpointOptionsSpec
{
    private static EtcdSourceOptions With(params string[] endpoints) => new() { Endpoints = endpoints.ToList(), Key = "/maintenance/svc" };

    [Fact]
    public void Must_accept_endpoints_the_way_etcdctl_does()
    {
        var options = With(EtcdSourceOptions.SplitEndpoints(" 127.0.0.1:2379, http://10.0.0.2:2379 ,http://etcd:2379").ToArray());

        options.Validate();

        options.EndpointUris().Should().Equal(new Uri("http://127.0.0.1:2379/"), new Uri("http://10.0.0.2:2379/"), new Uri("http://etcd:2379/"));
    }

    [Theory]
    [InlineData("[::1]:2379", "http://[::1]:2379/")]
    [InlineData("http://[::1]:2379", "http://[::1]:2379/")]
    [InlineData("https://[2001:db8::7]:2379/", "https://[2001:db8::7]:2379/")]
    [InlineData("HTTP://Etcd-1:2379", "http://etcd-1:2379/")]
    public void Must_accept_IPv6_literals_and_normalize_an_endpoint(string endpoint, string expected)
    {
        var options = With(endpoint);

        options.Validate();

        options.EndpointUris().Should().Equal(new Uri(expected));
    }

    [Fact]
    public void Must_ignore_spaces_empty_entries_and_trailing_commas_in_an_endpoint_list()
    {
        var options = With(" 127.0.0.1:2379 ,, 127.0.0.1:2380,", "", " ");

        options.Validate();

        options.EndpointUris().Should().Equal(new Uri("http://127.0.0.1:2379/"), new Uri("http://127.0.0.1:2380/"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:2379/v3", "path '/v3'")]
    [InlineData("http://127.0.0.1:2379?x=1", "query")]
    [InlineData("http://user:pw@127.0.0.1:2379", "user name or password")]
    [InlineData("127.0.0.1", "no port")]
    [InlineData("::1:2379", "IPv6 address in brackets")]
    [InlineData("ftp://host:21", "scheme 'ftp'")]
    [InlineData("http://", "expected host:port")]
    public void Must_reject_an_endpoint_the_client_would_otherwise_silently_change_saying_what_to_write(string endpoint, string problem)
    {
        var validate = () => With(endpoint).Validate();

        var error = validate.Should().Throw<MaintenanceConfigurationException>().Which;
        error.Field.Should().Be("Maintenance:Etcd:Endpoints");
        error.Message.Should().Contain($"'{endpoint}'").And.Contain(problem);
    }

    [Fact]
    public void Must_name_the_endpoints_field_when_none_is_given()
    {
        var validate = () => With("", " , ").Validate();

        validate.Should().Throw<MaintenanceConfigurationException>().WithMessage("Maintenance:Etcd:Endpoints must name at least one endpoint*");
    }

    [Fact]
    public void Must_require_the_client_key_with_the_client_certificate_and_existing_files()
    {
        var missingKey = () =>
        {
            var options = With("127.0.0.1:2379");
            options.ClientCertificatePath = "/tmp/x.pem";
            options.Validate();
        };
        var missingFile = () =>
        {
            var options = With("127.0.0.1:2379");
            options.CaCertificatePath = "/nonexistent/ca.pem";
            options.Validate();
        };

        missingKey.Should().Throw<MaintenanceConfigurationException>().Which.Field.Should().Be("Maintenance:Etcd:ClientKeyPath");
        missingFile.Should().Throw<MaintenanceConfigurationException>().WithMessage("*does not exist*")
            .Which.Field.Should().Be("Maintenance:Etcd:CaCertificatePath");
    }

    [Theory]
    [InlineData("a", "b")]
    [InlineData("a\u00ff", "b")]
    [InlineData("/x/", "/x0")]
    public void Must_compute_the_range_end_of_a_prefix(string prefix, string expectedEnd)
    {
        EtcdClientBackend.PrefixEnd(Google.Protobuf.ByteString.CopyFrom(System.Text.Encoding.Latin1.GetBytes(prefix)))
            .ToByteArray().Should().Equal(System.Text.Encoding.Latin1.GetBytes(expectedEnd));
    }
}
