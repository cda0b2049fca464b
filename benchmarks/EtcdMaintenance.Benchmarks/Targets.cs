using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using EtcdMaintenance.Monitoring;

namespace EtcdMaintenance.Benchmarks;

/// <summary>
/// The transport's performance targets (status against a bare HttpClient HTTP/2 POST: one call at a time, 8 in flight,
/// whole cluster; allocation per call), and the earlier polling targets, in one run: BenchmarkDotNet on the benchmark classes, then a side-by-side harness
/// in this process (variants interleaved in short blocks, so that load from other processes hits both sides alike, and
/// the median of the per-round ratios quoted). Prints one table with both measurements and whether each target is met.
/// </summary>
internal static class Targets
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        var runBenchmarkDotNet = !args.Contains("--no-bdn");
        var polls = args.SkipWhile(a => a != "--polls").Skip(1).Select(int.Parse).FirstOrDefault(100_000);
        var machine = Machine();
        var loadBefore = LoadAverage();

        Dictionary<string, (double MeanNs, long? Bytes)> bdn = [];
        if (runBenchmarkDotNet)
        {
            bdn = RunBenchmarkDotNet();
        }

        Console.WriteLine();
        Console.WriteLine("Side-by-side harness (interleaved blocks, median of per-round ratios)...");
        var side = await RunHarnessAsync(polls);
        var loadAfter = LoadAverage();

        var rows = new List<string[]>
        {
            Row("1. status, one call at a time, vs bare HttpClient HTTP/2 POST", "<= 1.15x",
                side.StatusRatio, Ratio(bdn, "ClientGetStatus", "BareHttpClientPost"), r => r <= 1.15,
                $"client {Us(side.ClientUs)}, bare HttpClient {Us(side.BareHttpClientUs)}, bare invoker {Us(side.BareInvokerUs)} (x{side.InvokerRatio.ToString("0.00", s_invariant)} of it)"),
            Row("2. status, 8 in flight, vs bare POSTs 8 in flight", "<= 1.15x",
                side.InFlightRatio, Ratio(bdn, "EightInFlight", "BareEightInFlight"), r => r <= 1.15,
                $"client {side.ClientInFlightPerSecond:N0}/s, bare HttpClient {side.BareInFlightPerSecond:N0}/s"),
            Row("3. whole-cluster status vs 3 bare POSTs in parallel", "<= 1.15x",
                side.ClusterRatio, Ratio(bdn, "ClusterStatus", "BareClusterPosts"), r => r <= 1.15,
                $"client {Us(side.ClusterUs)}, bare {Us(side.BareClusterUs)}"),
            Row("4. allocation per status call vs bare POST", "<= 1.3x",
                side.ClientBytes / side.HttpClientBytes, BytesRatio(bdn, "ClientGetStatus", "BareHttpClientPost"), r => r <= 1.3,
                $"client {side.ClientBytes:0} B, Grpc.Net.Client alone {side.GrpcBytes:0} B, bare HttpClient {side.HttpClientBytes:0} B, bare invoker {side.InvokerBytes:0} B; BDN {Bytes(bdn, "ClientGetStatus", "BareInvokerPost", "BareHttpClientPost")}; {side.Polls:N0} poller rounds: {side.BytesPerRound:0} B per round, live heap {Kb(side.HeapStartBytes)} -> {Kb(side.HeapEndBytes)}"),
            Row("5. 3-member poll vs slowest single member", "<= 1.3x",
                side.PollRatio, BdnPollRatio(bdn), r => r <= 1.3,
                $"poll {Us(side.PollUs)}, slowest member {Us(side.SlowestMemberUs)}, the 3 one after another {Us(side.SequentialSumUs)}; CPU (client + 3 etcd) per poll {Us(side.PollCpuUs)} vs {Us(side.SingleCpuUs)} per single call, on {Environment.ProcessorCount} cores"),
            Row("6. poll vs etcdctl endpoint status -w json", ">= 20x faster",
                side.EtcdctlSpeedup, Ratio(bdn, "EtcdctlEndpointStatus", "PollerRound"), r => r >= 20,
                $"etcdctl {Ms(side.EtcdctlMs)}, poll {Us(side.PollUs)}"),
            Row("7. throughput, 8 in flight vs sequential", ">= 2.5x",
                side.ThroughputRatio, Ratio(bdn, "Sequential", "EightInFlight"), r => r >= 2.5,
                $"{side.SequentialPerSecond:N0}/s sequential, {side.InFlightPerSecond:N0}/s with 8 in flight"),
        };

        Console.WriteLine();
        Console.WriteLine($"Machine: {machine}");
        Console.WriteLine($"Load average (1 min) before/after: {loadBefore} / {loadAfter}");
        Console.WriteLine();
        Console.WriteLine("| target | goal | side-by-side | BenchmarkDotNet | met | detail |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            Console.WriteLine($"| {string.Join(" | ", row)} |");
        }

        return 0;
    }

    /// <summary>A row; "met" only when both measurements meet the goal (BenchmarkDotNet's processes run at other moments than the harness, so on a loaded machine they can disagree).</summary>
    private static string[] Row(string target, string goal, double sideBySide, double? benchmarkDotNet, Func<double, bool> meets, string detail) =>
    [
        target, goal, $"{sideBySide.ToString("0.00", s_invariant)}x",
        benchmarkDotNet is { } b ? $"{b.ToString("0.00", s_invariant)}x" : "-",
        !meets(sideBySide) ? "no" : benchmarkDotNet is { } other && !meets(other) ? "side-by-side only" : "yes",
        detail,
    ];

    private sealed record HarnessResult
    {
        public double ClientUs { get; init; }
        public double BareHttpClientUs { get; init; }
        public double BareInvokerUs { get; init; }
        public double StatusRatio { get; init; }
        public double InvokerRatio { get; init; }
        public double PollUs { get; init; }
        public double SlowestMemberUs { get; init; }
        public double PollRatio { get; init; }
        public double SequentialSumUs { get; init; }
        public double PollCpuUs { get; init; }
        public double SingleCpuUs { get; init; }
        public double ClientBytes { get; init; }
        public double InvokerBytes { get; init; }
        public double HttpClientBytes { get; init; }
        public double GrpcBytes { get; init; }
        public int Polls { get; init; }
        public double BytesPerRound { get; init; }
        public long HeapStartBytes { get; init; }
        public long HeapEndBytes { get; init; }
        public long HeapGrowthBytes { get; init; }
        public double EtcdctlMs { get; init; }
        public double EtcdctlSpeedup { get; init; }
        public double SequentialPerSecond { get; init; }
        public double InFlightPerSecond { get; init; }
        public double ThroughputRatio { get; init; }
        public double ClientInFlightPerSecond { get; init; }
        public double BareInFlightPerSecond { get; init; }
        public double InFlightRatio { get; init; }
        public double ClusterUs { get; init; }
        public double BareClusterUs { get; init; }
        public double ClusterRatio { get; init; }
    }

    private static async Task<HarnessResult> RunHarnessAsync(int polls)
    {
        await using var cluster = await LocalEtcdServer.StartAsync(members: 3);
        await using var one = new EtcdMaintenanceClient(cluster.ClientUrl);
        await using var all = new EtcdMaintenanceClient(cluster.Endpoints);
        await using var poller = new ClusterPoller(all);
        using var http = BareStatus.ViaHttpClient(cluster.ClientUrl);
        using var invoker = BareStatus.ViaInvoker(cluster.ClientUrl);
        using var grpcFloor = new GrpcFloor(cluster.ClientUrl);
        var bareMembers = cluster.Endpoints.Split(',').Select(BareStatus.ViaHttpClient).ToArray();
        var endpoint = one.Endpoints[0];
        Func<Task> client = () => one.GetStatusAsync(endpoint);
        Func<Task> bareHttp = () => http.PostAsync();
        Func<Task> bareInvoker = () => invoker.PostAsync();
        Func<Task> poll = () => poller.PollOnceAsync();
        Func<Task> clusterStatus = () => all.GetClusterStatusAsync();
        Func<Task> bareCluster = () => BareStatus.AllAsync(bareMembers);
        var members = all.Endpoints.Select(e => (Func<Task>)(() => all.GetStatusAsync(e))).ToArray();
        foreach (var warm in new[] { client, bareHttp, bareInvoker, poll, clusterStatus, bareCluster }.Concat(members))
        {
            await RepeatAsync(warm, 2000);
        }

        // 1. Round trips, interleaved: 30 rounds of 200 calls per variant, the order alternating.
        var statusRatios = new List<double>();
        var invokerRatios = new List<double>();
        var clientTimes = new List<double>();
        var httpTimes = new List<double>();
        var invokerTimes = new List<double>();
        for (var round = 0; round < 30; round++)
        {
            double c, h, i;
            if (round % 2 == 0)
            {
                h = await TimePerCallAsync(bareHttp, 200);
                i = await TimePerCallAsync(bareInvoker, 200);
                c = await TimePerCallAsync(client, 200);
            }
            else
            {
                c = await TimePerCallAsync(client, 200);
                i = await TimePerCallAsync(bareInvoker, 200);
                h = await TimePerCallAsync(bareHttp, 200);
            }

            clientTimes.Add(c);
            httpTimes.Add(h);
            invokerTimes.Add(i);
            statusRatios.Add(c / h);
            invokerRatios.Add(c / i);
        }

        Console.WriteLine($"  1. status: client/HttpClient {Median(statusRatios):0.000}x, client/invoker {Median(invokerRatios):0.000}x");

        // 2. 8 in flight against the bare POST 8 in flight, interleaved: 15 rounds of 0.5 s each. Time per call is the
        // inverse of the rate, so the ratio is the bare rate over the client's.
        var inFlightRatios = new List<double>();
        var clientRates = new List<double>();
        var bareRates = new List<double>();
        for (var round = 0; round < 15; round++)
        {
            double c, b;
            if (round % 2 == 0)
            {
                b = await RateAsync(bareHttp, 8, TimeSpan.FromSeconds(0.5));
                c = await RateAsync(client, 8, TimeSpan.FromSeconds(0.5));
            }
            else
            {
                c = await RateAsync(client, 8, TimeSpan.FromSeconds(0.5));
                b = await RateAsync(bareHttp, 8, TimeSpan.FromSeconds(0.5));
            }

            clientRates.Add(c);
            bareRates.Add(b);
            inFlightRatios.Add(b / c);
        }

        Console.WriteLine($"  2. 8 in flight: client/HttpClient {Median(inFlightRatios):0.000}x");

        // 3. Whole-cluster status against 3 bare POSTs in parallel, interleaved: 30 rounds of 100.
        var clusterRatios = new List<double>();
        var clusterTimes = new List<double>();
        var bareClusterTimes = new List<double>();
        for (var round = 0; round < 30; round++)
        {
            double c, b;
            if (round % 2 == 0)
            {
                b = await TimePerCallAsync(bareCluster, 100);
                c = await TimePerCallAsync(clusterStatus, 100);
            }
            else
            {
                c = await TimePerCallAsync(clusterStatus, 100);
                b = await TimePerCallAsync(bareCluster, 100);
            }

            clusterTimes.Add(c);
            bareClusterTimes.Add(b);
            clusterRatios.Add(c / b);
        }

        Console.WriteLine($"  3. whole cluster: client/3 bare POSTs {Median(clusterRatios):0.000}x");
        foreach (var bare in bareMembers)
        {
            bare.Dispose();
        }

        // 2. The poll against each member alone, interleaved: 30 rounds of 100.
        var pollRatios = new List<double>();
        var pollTimes = new List<double>();
        var slowest = new List<double>();
        for (var round = 0; round < 30; round++)
        {
            var singles = new double[members.Length];
            var p = round % 2 == 0 ? await TimePerCallAsync(poll, 100) : 0;
            for (var m = 0; m < members.Length; m++)
            {
                singles[m] = await TimePerCallAsync(members[m], 100);
            }

            if (round % 2 == 1)
            {
                p = await TimePerCallAsync(poll, 100);
            }

            pollTimes.Add(p);
            slowest.Add(singles.Max());
            pollRatios.Add(p / singles.Max());
        }

        // Where the poll's time goes: CPU per single call and per poll, in this process and in the three etcd members.
        var sequentialSum = await TimePerCallAsync(async () =>
        {
            foreach (var member in members)
            {
                await member();
            }
        }, 1000);
        var (singleClientCpu, singleEtcdCpu) = await CpuPerCallAsync(cluster, members[0], 3000);
        var (pollClientCpu, pollEtcdCpu) = await CpuPerCallAsync(cluster, poll, 1000);
        Console.WriteLine($"  5. poll/slowest member {Median(pollRatios):0.000}x; the 3 members one after another take {sequentialSum:0} us");
        Console.WriteLine($"     CPU per single call: client {singleClientCpu:0} us + etcd {singleEtcdCpu:0} us; per poll: client {pollClientCpu:0} us + etcd {pollEtcdCpu:0} us, on {Environment.ProcessorCount} cores");

        // 3. Allocation per call, on this quiet process; then many poller rounds: allocation per round and the live heap.
        var clientBytes = await BytesPerCallAsync(client, 20_000);
        var invokerBytes = await BytesPerCallAsync(bareInvoker, 20_000);
        var httpBytes = await BytesPerCallAsync(bareHttp, 20_000);
        var grpcBytes = await BytesPerCallAsync(grpcFloor.StatusAsync, 20_000);
        Console.WriteLine($"  4. bytes per call: client {clientBytes:0}, Grpc.Net.Client alone {grpcBytes:0}, invoker {invokerBytes:0}, HttpClient {httpBytes:0}; now {polls:N0} poller rounds...");
        var heap = new List<long>();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 1; i <= polls; i++)
        {
            await poller.PollOnceAsync();
            if (i % Math.Max(1, polls / 10) == 0)
            {
                heap.Add(GC.GetTotalMemory(forceFullCollection: true));
            }
        }

        var bytesPerRound = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)polls;
        Console.WriteLine($"     live heap every {polls / 10:N0} rounds: {string.Join(", ", heap.Select(Kb))}");

        // 4. etcdctl, a process per poll, against the poller's round: 5 rounds of 10 etcdctl runs and 500 polls.
        var etcdctlTimes = new List<double>();
        var speedups = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            var e = await TimePerCallAsync(() => Etcdctl.EndpointStatusJsonAsync(cluster.Endpoints), 10);
            var p = await TimePerCallAsync(poll, 500);
            etcdctlTimes.Add(e);
            speedups.Add(e / p);
        }

        Console.WriteLine($"  6. etcdctl/poll {Median(speedups):0.0}x");

        // 5. Throughput: 1 s sequential, 1 s with 8 loops in flight, 7 rounds.
        var throughputRatios = new List<double>();
        var sequentialRates = new List<double>();
        var inFlightRates = new List<double>();
        for (var round = 0; round < 7; round++)
        {
            var sequential = await RateAsync(client, 1, TimeSpan.FromSeconds(1));
            var inFlight = await RateAsync(client, 8, TimeSpan.FromSeconds(1));
            sequentialRates.Add(sequential);
            inFlightRates.Add(inFlight);
            throughputRatios.Add(inFlight / sequential);
        }

        Console.WriteLine($"  7. 8 in flight/sequential {Median(throughputRatios):0.00}x");

        return new HarnessResult
        {
            ClientUs = Median(clientTimes),
            BareHttpClientUs = Median(httpTimes),
            BareInvokerUs = Median(invokerTimes),
            StatusRatio = Median(statusRatios),
            InvokerRatio = Median(invokerRatios),
            PollUs = Median(pollTimes),
            SlowestMemberUs = Median(slowest),
            PollRatio = Median(pollRatios),
            SequentialSumUs = sequentialSum,
            PollCpuUs = pollClientCpu + pollEtcdCpu,
            SingleCpuUs = singleClientCpu + singleEtcdCpu,
            ClientBytes = clientBytes,
            InvokerBytes = invokerBytes,
            HttpClientBytes = httpBytes,
            GrpcBytes = grpcBytes,
            Polls = polls,
            BytesPerRound = bytesPerRound,
            HeapStartBytes = heap[0],
            HeapEndBytes = heap[^1],
            HeapGrowthBytes = heap[^1] - heap[0],
            EtcdctlMs = Median(etcdctlTimes) / 1000,
            EtcdctlSpeedup = Median(speedups),
            SequentialPerSecond = Median(sequentialRates),
            InFlightPerSecond = Median(inFlightRates),
            ThroughputRatio = Median(throughputRatios),
            ClientInFlightPerSecond = Median(clientRates),
            BareInFlightPerSecond = Median(bareRates),
            InFlightRatio = Median(inFlightRatios),
            ClusterUs = Median(clusterTimes),
            BareClusterUs = Median(bareClusterTimes),
            ClusterRatio = Median(clusterRatios),
        };
    }

    private static Dictionary<string, (double MeanNs, long? Bytes)> RunBenchmarkDotNet()
    {
        var job = Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(12)
            .WithIterationTime(TimeInterval.FromMilliseconds(250));
        var config = ManualConfig.Create(DefaultConfig.Instance).AddJob(job).AddDiagnoser(MemoryDiagnoser.Default);
        var summaries = BenchmarkRunner.Run(
            [typeof(StatusRoundTripBenchmarks), typeof(ClusterPollBenchmarks), typeof(EtcdctlComparisonBenchmarks), typeof(ThroughputBenchmarks)], config);
        var results = new Dictionary<string, (double, long?)>();
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            if (report.ResultStatistics is { } statistics)
            {
                results[report.BenchmarkCase.Descriptor.WorkloadMethod.Name] = (statistics.Median, report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase));
            }
        }

        return results;
    }

    private static double? Ratio(Dictionary<string, (double MeanNs, long? Bytes)> bdn, string numerator, string denominator) =>
        bdn.TryGetValue(numerator, out var n) && bdn.TryGetValue(denominator, out var d) && d.MeanNs > 0 ? n.MeanNs / d.MeanNs : null;

    private static double? BdnPollRatio(Dictionary<string, (double MeanNs, long? Bytes)> bdn) =>
        bdn.TryGetValue("PollerRound", out var poll) && new[] { "Member1", "Member2", "Member3" }.All(bdn.ContainsKey)
            ? poll.MeanNs / new[] { "Member1", "Member2", "Member3" }.Max(m => bdn[m].MeanNs)
            : null;

    private static double? BytesRatio(Dictionary<string, (double MeanNs, long? Bytes)> bdn, string numerator, string denominator) =>
        bdn.TryGetValue(numerator, out var n) && bdn.TryGetValue(denominator, out var d) && n.Bytes is { } nb && d.Bytes is > 0 ? nb / (double)d.Bytes : null;

    private static string Bytes(Dictionary<string, (double MeanNs, long? Bytes)> bdn, string client, string invoker, string http) =>
        bdn.TryGetValue(client, out var c) && bdn.TryGetValue(invoker, out var i) && bdn.TryGetValue(http, out var h)
            ? $"client {c.Bytes} B, invoker {i.Bytes} B, HttpClient {h.Bytes} B"
            : "-";

    private static async Task RepeatAsync(Func<Task> call, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await call();
        }
    }

    /// <summary>Mean microseconds per call over <paramref name="count"/> sequential calls.</summary>
    private static async Task<double> TimePerCallAsync(Func<Task> call, int count)
    {
        var started = Stopwatch.GetTimestamp();
        await RepeatAsync(call, count);
        return Stopwatch.GetElapsedTime(started).TotalMicroseconds / count;
    }

    /// <summary>Microseconds of CPU per call: this process's, and the etcd members'.</summary>
    private static async Task<(double Client, double Etcd)> CpuPerCallAsync(LocalEtcdServer cluster, Func<Task> call, int count)
    {
        await RepeatAsync(call, 200);
        using var self = Process.GetCurrentProcess();
        var client = self.TotalProcessorTime;
        var etcd = cluster.CpuTime();
        await RepeatAsync(call, count);
        self.Refresh();
        return ((self.TotalProcessorTime - client).TotalMicroseconds / count, (cluster.CpuTime() - etcd).TotalMicroseconds / count);
    }

    private static async Task<double> BytesPerCallAsync(Func<Task> call, int count)
    {
        await RepeatAsync(call, 1000);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await RepeatAsync(call, count);
        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)count;
    }

    /// <summary>Calls per second with <paramref name="loops"/> loops calling back to back for <paramref name="duration"/>.</summary>
    private static async Task<double> RateAsync(Func<Task> call, int loops, TimeSpan duration)
    {
        var completed = 0L;
        var started = Stopwatch.GetTimestamp();
        async Task Loop()
        {
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                await call();
                Interlocked.Increment(ref completed);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, loops).Select(_ => Loop()));
        return Interlocked.Read(ref completed) / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Us(double microseconds) => $"{microseconds.ToString("0", s_invariant)} us";

    private static string Ms(double milliseconds) => $"{milliseconds.ToString("0.0", s_invariant)} ms";

    private static string Kb(long bytes) => $"{(bytes / 1024.0).ToString("0", s_invariant)} KB";

    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var etcd = "etcd ?";
        try
        {
            var binary = Hosting.LocalEtcdProcess.FindEtcdBinary();
            if (binary is not null)
            {
                using var process = Process.Start(new ProcessStartInfo(binary, "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
                etcd = process.StandardOutput.ReadLine()?.Replace("etcd Version: ", "etcd ", StringComparison.Ordinal) ?? etcd;
                process.WaitForExit();
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }

        return $"{Environment.ProcessorCount} cores ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {etcd} on loopback";
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
