namespace EtcdMaintenance.IntegrationTests.Harness;

/// <summary>
/// A writer that runs throughout an operation: it puts <c>/writer/NNNNNN</c> keys one after another, 20 ms apart, and
/// records each key etcd acknowledged. A put that fails (its member restarting) is not acknowledged: it may or may not be
/// there. Stop it once the operation is over, then check with <see cref="AssertEveryAcknowledgedWriteKeptAsync"/>.
/// </summary>
public sealed class AcknowledgedWriter : IAsyncDisposable
{
    private const string Prefix = "/writer/";

    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _acknowledged = [];
    private readonly Task _writes;

    private AcknowledgedWriter(EtcdMaintenanceClient client) => _writes = Task.Run(() => WriteUntilStoppedAsync(client));

    /// <summary>Starts writing through <paramref name="client"/>.</summary>
    public static AcknowledgedWriter Start(EtcdMaintenanceClient client) => new(client);

    /// <summary>Stops the writer (again is a no-op) and waits for its last put.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _writes;
    }

    /// <summary>Stops the writer, then asserts that etcd acknowledged some writes and that every one of them is readable.</summary>
    public async Task AssertEveryAcknowledgedWriteKeptAsync(EtcdMaintenanceClient client)
    {
        await StopAsync();
        Assert.NotEmpty(_acknowledged);
        var stored = await client.GetPrefixAsync(Prefix);
        Assert.All(_acknowledged, key => Assert.True(stored.ContainsKey(key), $"{key} was acknowledged but is gone"));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task WriteUntilStoppedAsync(EtcdMaintenanceClient client)
    {
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var key = $"{Prefix}{i:D6}";
            try
            {
                await client.PutAsync(key, "v"u8.ToArray());
                _acknowledged.Add(key);
            }
            catch (EtcdException)
            {
            }

            await Task.Delay(20);
        }
    }
}
