using BenchmarkDotNet.Running;

// Run all:   dotnet run -c Release --project benchmarks/EtcdMaintenance.Benchmarks -- --filter '*'
// Run one:   dotnet run -c Release --project benchmarks/EtcdMaintenance.Benchmarks -- --filter '*StatusRoundTrip*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
