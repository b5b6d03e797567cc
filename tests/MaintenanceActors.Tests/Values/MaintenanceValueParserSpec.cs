using System.Text;
using MaintenanceActors;

namespace MaintenanceActors.Tests.Values;

public sealed class MaintenanceValueParserSpec
{
    [Theory]
    [InlineData("true")]
    [InlineData("1")]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("enabled")]
    [InlineData("maintenance")]
    [InlineData("TRUE")]
    [InlineData("True")]
    [InlineData("  yes \n")]
    [InlineData("ON")]
    public void Must_read_the_GoMaint_on_words_as_on(string raw)
    {
        var value = MaintenanceValueParser.Parse(raw, "/k", 1);
        value.Enabled.Should().BeTrue();
        value.Warning.Should().BeNull();
    }

    [Theory]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("no")]
    [InlineData("off")]
    [InlineData("disabled")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("random")]
    [InlineData(null)]
    public void Must_read_everything_else_as_off_without_warning(string? raw)
    {
        var value = MaintenanceValueParser.Parse(raw, "/k", 1);
        value.Enabled.Should().BeFalse();
        value.IsMalformed.Should().BeFalse("GoMaint's rule stays for plain words: an unknown word is off");
    }

    [Fact]
    public void Must_read_the_JSON_form_with_its_metadata()
    {
        var value = MaintenanceValueParser.Parse(
            """{"enabled":true,"reason":"db upgrade","by":"alice","until":"2026-12-01T10:00:00Z"}""", "/k", 7);
        value.Enabled.Should().BeTrue();
        value.Info.Should().Be(new MaintenanceInfo("db upgrade", "alice", new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero)));
        value.Warning.Should().BeNull();
    }

    [Fact]
    public void Must_read_JSON_with_enabled_false_as_off()
    {
        MaintenanceValueParser.Parse("""{"enabled":false,"reason":"done"}""", "/k", 1).Enabled.Should().BeFalse();
    }

    [Theory]
    [InlineData("{\"enabled\":tru", "not valid JSON")]
    [InlineData("{\"reason\":\"x\"}", "field \"enabled\" is missing")]
    [InlineData("{\"enabled\":3}", "field \"enabled\" is 3, but must be true or false")]
    [InlineData("{\"enabled\":\"maybe\"}", "field \"enabled\" is \"maybe\", but must be true or false")]
    [InlineData("{\"enabled\":true,\"until\":\"tomorrow\"}", "field \"until\" is \"tomorrow\", but must be an ISO-8601 time")]
    [InlineData("{\"enabled\":true,\"by\":5}", "field \"by\" must be a string")]
    [InlineData("[true]", "the JSON value must be an object")]
    public void Must_mark_malformed_JSON_with_a_warning_naming_key_revision_and_field(string raw, string problem)
    {
        var value = MaintenanceValueParser.Parse(raw, "/maintenance/svc", 42);
        value.IsMalformed.Should().BeTrue();
        value.Warning.Should().StartWith($"maintenance value of '/maintenance/svc' at revision 42 is malformed: {problem}")
            .And.EndWith("; kept the last known state");
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("\"true\"", true)]
    [InlineData("\"false\"", false)]
    [InlineData("\"1\"", true)]
    [InlineData("\"0\"", false)]
    [InlineData("\"ON\"", true)]
    [InlineData("\"off\"", false)]
    [InlineData("\"yes\"", true)]
    [InlineData("\"no\"", false)]
    [InlineData("\"maintenance\"", true)]
    [InlineData("\"disabled\"", false)]
    public void Must_accept_the_same_forms_of_enabled_as_booleans_numbers_and_words(string enabled, bool expected)
    {
        var value = MaintenanceValueParser.Parse($"{{\"enabled\":{enabled}}}", "/k", 1);
        value.IsMalformed.Should().BeFalse();
        value.Enabled.Should().Be(expected);
    }

    [Fact]
    public void Must_warn_on_bytes_that_are_not_UTF8()
    {
        var value = MaintenanceValueParser.Parse(new byte[] { 0xff, 0xfe, 0x41 }, "/k", 3);
        value.IsMalformed.Should().BeTrue();
        value.Warning.Should().Be("maintenance value of '/k' at revision 3 is malformed: the value is not valid UTF-8; kept the last known state");
    }

    [Fact]
    public void Must_round_trip_what_it_formats()
    {
        var info = new MaintenanceInfo("deploy", "ci", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var text = MaintenanceValueParser.Format(true, info);
        var back = MaintenanceValueParser.Parse(Encoding.UTF8.GetBytes(text), "/k", 1);
        back.Should().Be(new MaintenanceValue(true, info, null));
        MaintenanceValueParser.Format(false, null).Should().Be("false");
    }
}
