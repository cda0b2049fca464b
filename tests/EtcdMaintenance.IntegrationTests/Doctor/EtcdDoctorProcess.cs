using System.Diagnostics;
using System.Reflection;
using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests.Doctor;

/// <summary>Runs the built etcd-doctor as a real child process.</summary>
public static class EtcdDoctorProcess
{
    public static string Dll => typeof(EtcdDoctorProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "EtcdDoctorDll").Value!;

    public static Process Start(params string[] arguments) => Start(redirectInput: false, environment: null, arguments);

    private static Process Start(bool redirectInput, IReadOnlyDictionary<string, string?>? environment, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = redirectInput, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("etcd-doctor did not start.");
    }

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan timeout, params string[] arguments) =>
        RunWithInputAsync(timeout, stdin: null, arguments);

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunWithInputAsync(TimeSpan timeout, string? stdin, params string[] arguments) =>
        RunAsync(timeout, stdin, environment: null, arguments);

    /// <summary>Runs etcd-doctor with extra environment variables (a null value removes one) and, optionally, standard input.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan timeout, string? stdin, IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        using var process = Start(stdin is not null, environment, arguments);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        return await ChildProcess.CompleteAsync(process, $"etcd-doctor {string.Join(' ', arguments)}", timeout);
    }
}
