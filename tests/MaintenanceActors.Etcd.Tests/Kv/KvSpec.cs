using Google.Protobuf;
using MaintenanceActors.Etcd.Protocol;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests.Kv;

[Collection(SharedEtcd.Name)]
public sealed class KvSpec(EtcdServer etcd) : SharedEtcdSpec(etcd, "kv")
{
    [Fact]
    public async Task Must_read_back_a_value_it_put_with_its_revisions()
    {
        var revision = await Client.PutAsync(Prefix + "a", "hello");

        var kv = await Client.GetAsync(Prefix + "a");

        kv.Should().NotBeNull();
        kv!.ValueString.Should().Be("hello");
        kv.KeyString.Should().Be(Prefix + "a");
        kv.ModRevision.Should().Be(revision);
        kv.CreateRevision.Should().Be(revision);
        kv.Version.Should().Be(1);
    }

    [Fact]
    public async Task Must_return_null_for_a_missing_key()
    {
        (await Client.GetAsync(Prefix + "missing")).Should().BeNull();
    }

    [Fact]
    public async Task Must_return_the_previous_value_when_put_asks_for_it()
    {
        await Client.PutAsync(Prefix + "k", "one");

        var response = await Client.PutAsync(new PutRequest { Key = Key("k"), Value = ByteString.CopyFromUtf8("two"), PrevKv = true });

        response.PrevKv.Value.ToStringUtf8().Should().Be("one");
        (await Client.GetAsync(Prefix + "k"))!.ValueString.Should().Be("two");
    }

    [Fact]
    public async Task Must_list_a_prefix_in_key_order_and_honour_limit_keys_only_and_count_only()
    {
        foreach (var name in new[] { "c", "a", "b" })
            await Client.PutAsync(Prefix + name, "v-" + name);
        await Client.PutAsync(Prefix.TrimEnd('/') + "x", "outside the prefix");

        var all = await Client.GetPrefixAsync(Prefix);
        var limited = await Client.RangeAsync(new RangeRequest { Key = Key(""), RangeEnd = EtcdKeys.PrefixEnd(Prefix), Limit = 2 });
        var keysOnly = await Client.RangeAsync(new RangeRequest { Key = Key(""), RangeEnd = EtcdKeys.PrefixEnd(Prefix), KeysOnly = true });
        var countOnly = await Client.RangeAsync(new RangeRequest { Key = Key(""), RangeEnd = EtcdKeys.PrefixEnd(Prefix), CountOnly = true });

        all.Select(kv => kv.KeyString).Should().Equal(Prefix + "a", Prefix + "b", Prefix + "c");
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
        var first = await Client.PutAsync(Prefix + "r", "old");
        await Client.PutAsync(Prefix + "r", "new");

        var response = await Client.RangeAsync(new RangeRequest { Key = Key("r"), Revision = first });

        response.Kvs.Single().Value.ToStringUtf8().Should().Be("old");
    }

    [Fact]
    public async Task Must_fail_a_read_of_a_compacted_revision_with_EtcdCompactedException_naming_the_revision()
    {
        var old = await Client.PutAsync(Prefix + "gone", "1");
        var latest = await Client.PutAsync(Prefix + "gone", "2");
        await Client.CompactAsync(latest);

        var read = () => Client.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(Prefix + "gone"), Revision = old });

        var error = (await read.Should().ThrowAsync<EtcdCompactedException>()).Which;
        error.RequestedRevision.Should().Be(old);
        error.Message.Should().Contain($"revision {old}").And.Contain("read the current revision");
    }

    [Fact]
    public async Task Must_delete_a_key_and_a_prefix_returning_previous_values_on_request()
    {
        await Client.PutAsync(Prefix + "d/1", "1");
        await Client.PutAsync(Prefix + "d/2", "2");
        await Client.PutAsync(Prefix + "single", "s");

        var single = await Client.DeleteAsync(Prefix + "single");
        var range = await Client.DeleteRangeAsync(new DeleteRangeRequest { Key = Key("d/"), RangeEnd = EtcdKeys.PrefixEnd(Prefix + "d/"), PrevKv = true });

        single.Should().Be(1);
        range.Deleted.Should().Be(2);
        range.PrevKvs.Select(kv => kv.Value.ToStringUtf8()).Should().BeEquivalentTo("1", "2");
        (await Client.GetPrefixAsync(Prefix)).Should().BeEmpty();
        (await Client.DeleteAsync(Prefix + "single")).Should().Be(0);
    }

    private ByteString Key(string name) => ByteString.CopyFromUtf8(Prefix + name);
}
