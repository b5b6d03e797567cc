using Microsoft.Extensions.DependencyInjection;

namespace MaintenanceActors.Kafka.Tests;

public sealed class KafkaConsumerOptionsTests
{
    private static KafkaConsumerOptions Valid() => new() { Topics = ["orders"], GroupId = "order-service" };

    [Fact]
    public void Defaults_are_valid_once_a_topic_and_group_are_given() => Valid().Validate();

    [Theory]
    [InlineData("BootstrapServers", "")]
    [InlineData("BootstrapServers", "localhost")]
    [InlineData("BootstrapServers", "a:9092,,b:9092")]
    [InlineData("GroupId", " ")]
    [InlineData("MaxConcurrency", 0)]
    [InlineData("MaxConcurrency", 1025)]
    [InlineData("CommitInterval", 0.001)]
    [InlineData("CommitInterval", 61.0)]
    [InlineData("PollTimeout", 0.0)]
    [InlineData("PollTimeout", 2.0)]
    [InlineData("RevokeTimeout", -1.0)]
    [InlineData("RevokeTimeout", 241.0)]
    [InlineData("MaxBufferedPerPartition", 1)]
    [InlineData("HealthCheckInterval", 0.0)]
    [InlineData("ResourceName", " ")]
    [InlineData("DrainTimeout", 0.0)]
    public void A_bad_value_fails_naming_the_field(string field, object value)
    {
        var options = Valid();
        var property = typeof(KafkaConsumerOptions).GetProperty(field)!;
        property.SetValue(options, value is double seconds ? TimeSpan.FromSeconds(seconds) : value);

        var error = Assert.Throws<MaintenanceConfigurationException>(() => options.Validate());

        error.Field.Should().Be($"Maintenance:Kafka:{field}");
    }

    [Fact]
    public void No_topic_fails_naming_the_field()
    {
        var error = Assert.Throws<MaintenanceConfigurationException>(() => new KafkaConsumerOptions { GroupId = "g" }.Validate());
        error.Message.Should().Be("Maintenance:Kafka:Topics must name at least one topic (e.g. orders), and no empty name");
    }

    [Fact]
    public void The_consumer_commits_itself_whatever_the_extra_settings_say()
    {
        var options = Valid();
        options.ConfigureConsumer = c =>
        {
            c.EnableAutoCommit = true;
            c.EnableAutoOffsetStore = true;
            c.SessionTimeoutMs = 7000;
        };
        var config = options.ToConsumerConfig();
        config.EnableAutoCommit.Should().BeFalse();
        config.EnableAutoOffsetStore.Should().BeFalse();
        config.SessionTimeoutMs.Should().Be(7000);
        config.GroupId.Should().Be("order-service");
    }

    [Fact]
    public void AddKafkaConsumer_fails_at_registration_naming_the_field()
    {
        var services = new ServiceCollection();
        var error = Assert.Throws<MaintenanceConfigurationException>(() =>
            services.AddMaintenance(m => m.AddKafkaConsumer<NoOp>(o => o.Topics = ["orders"])));
        error.Field.Should().Be("Maintenance:Kafka:GroupId");
    }

    private sealed class NoOp : IKafkaRecordProcessor
    {
        public Task ProcessAsync(Confluent.Kafka.ConsumeResult<byte[], byte[]> record, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
