using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests;

/// <summary>One etcd shared by the tests that neither stop it nor change its settings; each test uses its own key prefix.</summary>
[CollectionDefinition(Name)]
public sealed class SharedEtcd : ICollectionFixture<EtcdServer>
{
    public const string Name = "shared etcd";

    public static string UniquePrefix(string test) => $"/tests/{test}/{Guid.NewGuid():N}/";
}
