using Google.Protobuf;
using MaintenanceActors.Etcd.Protocol;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests.Kv;

[Collection(SharedEtcd.Name)]
public sealed class KvSpec(EtcdServer etcd) : IAsyncLifetime
{
    private readonly string prefix = SharedEtcd.UniquePrefix("kv");
    private EtcdClient client = null!;

    public Task InitializeAsync()
    {
        client = etcd.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await client.DisposeAsync();

    [Fact]
    public async Task Must_read_back_a_value_it_put_with_its_revisions()
    {
        var revision = await client.PutAsync(prefix + "a", "hello");

        var kv = await client.GetAsync(prefix + "a");

        kv.Should().NotBeNull();
        kv!.ValueString.Should().Be("hello");
        kv.KeyString.Should().Be(prefix + "a");
        kv.ModRevision.Should().Be(revision);
        kv.CreateRevision.Should().Be(revision);
        kv.Version.Should().Be(1);
    }

    [Fact]
    public async Task Must_return_null_for_a_missing_key()
    {
        (await client.GetAsync(prefix + "missing")).Should().BeNull();
    }

    [Fact]
    public async Task Must_return_the_previous_value_when_put_asks_for_it()
    {
        await client.PutAsync(prefix + "k", "one");

        var response = await client.PutAsync(new PutRequest { Key = Key("k"), Value = ByteString.CopyFromUtf8("two"), PrevKv = true });

        response.PrevKv.Value.ToStringUtf8().Should().Be("one");
        (await client.GetAsync(prefix + "k"))!.ValueString.Should().Be("two");
    }

    [Fact]
    public async Task Must_list_a_prefix_in_key_order_and_honour_limit_keys_only_and_count_only()
    {
        foreach (var name in new[] { "c", "a", "b" })
            await client.PutAsync(prefix + name, "v-" + name);
        await client.PutAsync(prefix.TrimEnd('/') + "x", "outside the prefix");

        var all = await client.GetPrefixAsync(prefix);
        var limited = await client.RangeAsync(new RangeRequest { Key = Key(""), RangeEnd = EtcdKeys.PrefixEnd(prefix), Limit = 2 });
        var keysOnly = await client.RangeAsync(new RangeRequest { Key = Key(""), RangeEnd = EtcdKeys.PrefixEnd(prefix), KeysOnly = true });
        var countOnly = await client.RangeAsync(new RangeRequest { Key = Key(""), RangeEnd = EtcdKeys.PrefixEnd(prefix), CountOnly = true });

        all.Select(kv => kv.KeyString).Should().Equal(prefix + "a", prefix + "b", prefix + "c");
        all.Select(kv => kv.ValueString).Should().Equal("v-a", "v-b", "v-c");
        limited.Kvs.Should().HaveCount(2);
        limited.More.Should().BeTrue();
        limited.Count.Should().Be(3);
        keysOnly.Kvs.Should().HaveCount(3).And.OnlyContain(kv => kv.Value.IsEmpty);
        countOnly.Kvs.Should().BeEmpty();
        countOnly.Count.Should().Be(3);
    }

    [Fact]
    public async Task Must_read_an_older_revision_of_a_key()
    {
        var first = await client.PutAsync(prefix + "r", "old");
        await client.PutAsync(prefix + "r", "new");

        var response = await client.RangeAsync(new RangeRequest { Key = Key("r"), Revision = first });

        response.Kvs.Single().Value.ToStringUtf8().Should().Be("old");
    }

    [Fact]
    public async Task Must_fail_a_read_of_a_compacted_revision_with_EtcdCompactedException_naming_the_revision()
    {
        var old = await client.PutAsync(prefix + "gone", "1");
        var latest = await client.PutAsync(prefix + "gone", "2");
        await client.CompactAsync(latest);

        var read = () => client.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(prefix + "gone"), Revision = old });

        var error = (await read.Should().ThrowAsync<EtcdCompactedException>()).Which;
        error.RequestedRevision.Should().Be(old);
        error.Message.Should().Contain($"revision {old}").And.Contain("read the current revision");
    }

    [Fact]
    public async Task Must_delete_a_key_and_a_prefix_returning_previous_values_on_request()
    {
        await client.PutAsync(prefix + "d/1", "1");
        await client.PutAsync(prefix + "d/2", "2");
        await client.PutAsync(prefix + "single", "s");

        var single = await client.DeleteAsync(prefix + "single");
        var range = await client.DeleteRangeAsync(new DeleteRangeRequest { Key = Key("d/"), RangeEnd = EtcdKeys.PrefixEnd(prefix + "d/"), PrevKv = true });

        single.Should().Be(1);
        range.Deleted.Should().Be(2);
        range.PrevKvs.Select(kv => kv.Value.ToStringUtf8()).Should().BeEquivalentTo("1", "2");
        (await client.GetPrefixAsync(prefix)).Should().BeEmpty();
        (await client.DeleteAsync(prefix + "single")).Should().Be(0);
    }

    private ByteString Key(string name) => ByteString.CopyFromUtf8(prefix + name);
}
