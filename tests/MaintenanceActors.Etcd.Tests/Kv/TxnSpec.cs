using Google.Protobuf;
using MaintenanceActors.Etcd.Protocol;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests.Kv;

[Collection(SharedEtcd.Name)]
public sealed class TxnSpec(EtcdServer etcd) : SharedEtcdSpec(etcd, "txn")
{
    [Fact]
    public async Task Must_run_the_success_branch_when_every_compare_holds()
    {
        var revision = await Client.PutAsync(Prefix + "state", "on");
        var txn = new TxnRequest
        {
            Compare =
            {
                new Compare { Key = Key("state"), Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Equal, Value = Utf8("on") },
                new Compare { Key = Key("state"), Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = 1 },
                new Compare { Key = Key("state"), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = revision },
                new Compare { Key = Key("state"), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Less, ModRevision = revision + 1 },
            },
            Success =
            {
                new RequestOp { RequestPut = new PutRequest { Key = Key("state"), Value = Utf8("off") } },
                new RequestOp { RequestRange = new RangeRequest { Key = Key("state") } },
                new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Key("other") } },
            },
            Failure = { new RequestOp { RequestPut = new PutRequest { Key = Key("failure-ran"), Value = Utf8("yes") } } },
        };

        var response = await Client.TxnAsync(txn);

        response.Succeeded.Should().BeTrue();
        response.Responses.Should().HaveCount(3);
        response.Responses[1].ResponseRange.Kvs.Single().Value.ToStringUtf8().Should().Be("off");
        (await Client.GetAsync(Prefix + "failure-ran")).Should().BeNull();
    }

    [Fact]
    public async Task Must_run_the_failure_branch_when_a_compare_fails()
    {
        await Client.PutAsync(Prefix + "state", "on");
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = Key("state"), Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Equal, Value = Utf8("off") } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = Key("success-ran"), Value = Utf8("yes") } } },
            Failure =
            {
                new RequestOp { RequestRange = new RangeRequest { Key = Key("state") } },
                new RequestOp { RequestPut = new PutRequest { Key = Key("failure-ran"), Value = Utf8("yes") } },
            },
        };

        var response = await Client.TxnAsync(txn);

        response.Succeeded.Should().BeFalse();
        response.Responses[0].ResponseRange.Kvs.Single().Value.ToStringUtf8().Should().Be("on");
        (await Client.GetAsync(Prefix + "failure-ran"))!.ValueString.Should().Be("yes");
        (await Client.GetAsync(Prefix + "success-ran")).Should().BeNull();
    }

    [Fact]
    public async Task Must_create_a_key_only_if_absent_using_create_revision_zero()
    {
        var createIfAbsent = new TxnRequest
        {
            Compare = { new Compare { Key = Key("lock"), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = Key("lock"), Value = Utf8("first") } } },
        };

        var first = await Client.TxnAsync(createIfAbsent);
        var second = await Client.TxnAsync(createIfAbsent);

        first.Succeeded.Should().BeTrue();
        second.Succeeded.Should().BeFalse();
        (await Client.GetAsync(Prefix + "lock"))!.ValueString.Should().Be("first");
    }

    private ByteString Key(string name) => ByteString.CopyFromUtf8(Prefix + name);

    private static ByteString Utf8(string value) => ByteString.CopyFromUtf8(value);
}
