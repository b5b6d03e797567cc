// The etcd client of this library is dotnet-etcd's. One alias for the whole project, so files that only pass a client along
// (e.g. MaintenanceCoordinator.UseEtcd) need no using of their own.
global using EtcdClient = dotnet_etcd.EtcdClient;
