using BenchmarkDotNet.Running;
using EtcdMaintenance.Benchmarks;

// The status-polling hot path against a real local etcd (etcd from ETCD_BIN or PATH, etcdctl from ETCDCTL_BIN or PATH).
//
// The transport's status-call targets (one at a time, 8 in flight, whole cluster, allocation, each against a bare
// HttpClient HTTP/2 POST) and the earlier polling targets, BenchmarkDotNet and the side-by-side harness in one run,
// ratios printed as a table (about 4 minutes on a quiet 2-core machine; the README's table comes from this):
//   dotnet run -c Release --project benchmarks/EtcdMaintenance.Benchmarks -- targets
// The side-by-side harness alone (a few minutes; --polls sets the rounds of the allocation/growth check, 100,000 by default):
//   dotnet run -c Release --project benchmarks/EtcdMaintenance.Benchmarks -- targets --no-bdn [--polls 100000]
// Run all BenchmarkDotNet classes, or one:
//   dotnet run -c Release --project benchmarks/EtcdMaintenance.Benchmarks -- --filter '*'
//   dotnet run -c Release --project benchmarks/EtcdMaintenance.Benchmarks -- --filter '*StatusRoundTrip*'
if (args is ["targets", ..])
{
    return await Targets.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
