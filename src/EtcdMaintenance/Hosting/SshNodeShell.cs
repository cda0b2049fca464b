using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace EtcdMaintenance.Hosting;

/// <summary>
/// A node reached over SSH (SSH.NET): key authentication, host key checked against known_hosts, one connection opened on
/// first use and reused for every later step until disposed, each step with a timeout. Runs <c>sh</c> scripts there.
/// </summary>
internal sealed class SshNodeShell : INodeShell, IAsyncDisposable
{
    private readonly SshConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SshClient? _client;

    public SshNodeShell(string node, SshConnectionOptions options, ILogger logger)
    {
        Node = node;
        _options = options;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Node { get; }

    /// <summary>Runs <paramref name="script"/> with <c>sh</c> on the node (as root through <c>sudo -n</c> when configured).</summary>
    /// <exception cref="EtcdHostException">The node could not be reached, the login or sudo was refused, or the step timed out.</exception>
    public async Task<NodeCommandResult> RunAsync(string step, string script, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var client = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            var command = (_options.UseSudo ? "sudo -n -- " : string.Empty) + "sh -c " + ShellQuote.Quote(script);
            using var ssh = client.CreateCommand(command);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.CommandTimeout);
            try
            {
                await ssh.ExecuteAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new EtcdHostException(Node, step, EtcdHostErrorCode.Timeout, $"no answer within {_options.CommandTimeout}");
            }
            catch (Exception ex) when (ex is SshException or SocketException or ObjectDisposedException)
            {
                Disconnect();
                throw new EtcdHostException(Node, step, EtcdHostErrorCode.Unreachable, $"the connection failed: {ex.Message}", ex);
            }

            var result = new NodeCommandResult(ssh.ExitStatus ?? -1, ssh.Result, ssh.Error);
            Log.NodeCommand(_logger, Node, step, result.ExitCode);
            if (_options.UseSudo && result.ExitCode == 1 && result.Error.StartsWith("sudo:", StringComparison.Ordinal))
            {
                throw new EtcdHostException(Node, step, EtcdHostErrorCode.SudoRefused,
                    $"{_options.User} may not run commands through sudo without a password: {result.Error.Trim()}. Nothing was run.");
            }

            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        Disconnect();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<SshClient> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_client is { IsConnected: true })
        {
            return _client;
        }

        Disconnect();
        const string Step = "connect";
        PrivateKeyFile key;
        try
        {
            key = new PrivateKeyFile(_options.PrivateKeyFile, _options.PrivateKeyPassphrase);
        }
        catch (Exception ex) when (ex is SshException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new EtcdHostException(Node, Step, EtcdHostErrorCode.AuthenticationFailed,
                $"the private key {_options.PrivateKeyFile} could not be read{(_options.PrivateKeyPassphrase is null ? " (is it protected by a passphrase?)" : " with the passphrase given")}: {ex.Message}", ex);
        }

        var connection = new ConnectionInfo(Node, _options.Port, _options.User, new PrivateKeyAuthenticationMethod(_options.User, key)) { Timeout = _options.ConnectTimeout };
        var client = new SshClient(connection);
        (EtcdHostErrorCode Code, string Detail)? refusal = null;
        client.HostKeyReceived += (_, e) =>
        {
            refusal = CheckHostKey(e.HostKey);
            e.CanTrust = refusal is null;
        };

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await client.ConnectAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (refusal is not null)
        {
            client.Dispose();
            throw new EtcdHostException(Node, "host key check", refusal.Value.Code, refusal.Value.Detail, ex);
        }
        catch (SshAuthenticationException ex)
        {
            client.Dispose();
            throw new EtcdHostException(Node, Step, EtcdHostErrorCode.AuthenticationFailed, $"{_options.User}@{Node}:{_options.Port} refused the key {_options.PrivateKeyFile}: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new EtcdHostException(Node, Step, EtcdHostErrorCode.Timeout, $"{Node}:{_options.Port} did not answer within {_options.ConnectTimeout}", ex);
        }
        catch (Exception ex) when (ex is SshException or SocketException or IOException)
        {
            client.Dispose();
            throw new EtcdHostException(Node, Step, EtcdHostErrorCode.Unreachable, $"could not connect to {Node}:{_options.Port}: {ex.Message}", ex);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        _client = client;
        if (_options.UseSudo)
        {
            // sudo -n fails at once where it would prompt: check before any step, so that a refusal changes nothing.
            using var check = client.CreateCommand("sudo -n true");
            await check.ExecuteAsync(timeout.Token).ConfigureAwait(false);
            if (check.ExitStatus != 0)
            {
                Disconnect();
                throw new EtcdHostException(Node, "sudo check", EtcdHostErrorCode.SudoRefused,
                    $"{_options.User} may not run commands through sudo without a password ({check.Error.Trim()}); nothing was run.");
            }
        }

        return client;
    }

    /// <summary>Checks the key against known_hosts; returns why it is refused, or <see langword="null"/> when trusted (appending a new key when allowed).</summary>
    private (EtcdHostErrorCode Code, string Detail)? CheckHostKey(byte[] key)
    {
        var type = KeyType(key);
        var fingerprint = "SHA256:" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(key)).TrimEnd('=');
        var file = _options.KnownHostsFile;
        switch (KnownHosts.Check(file, Node, _options.Port, type, key))
        {
            case HostKeyVerdict.Known:
                return null;
            case HostKeyVerdict.Changed:
                return (EtcdHostErrorCode.HostKeyChanged,
                    $"the node presented the {type} key {fingerprint}, which is not the key {file} holds for {KnownHosts.HostName(Node, _options.Port)}. This may be an attack (or a reinstalled node): refused. If the node was reinstalled, remove its old key (ssh-keygen -R) and connect again");
            default:
                if (!_options.AcceptNewHostKeys)
                {
                    return (EtcdHostErrorCode.HostKeyUnknown,
                        $"{KnownHosts.HostName(Node, _options.Port)} is not in {file}; its {type} key is {fingerprint}. Check the fingerprint on the node (ssh-keygen -lf /etc/ssh/ssh_host_{type.Replace("ssh-", string.Empty, StringComparison.Ordinal)}_key.pub) and add it (ssh-keyscan), or allow accepting new host keys");
                }

                KnownHosts.Add(file, Node, _options.Port, type, key);
                Log.HostKeyAccepted(_logger, Node, _options.Port, type, fingerprint, file);
                return null;
        }
    }

    /// <summary>The key type named at the start of an SSH public key blob (a uint32 length, then the name).</summary>
    private static string KeyType(byte[] key)
    {
        if (key.Length < 4)
        {
            return "unknown";
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(key);
        return length > 0 && length <= key.Length - 4 ? Encoding.ASCII.GetString(key, 4, length) : "unknown";
    }

    private void Disconnect()
    {
        _client?.Dispose();
        _client = null;
    }
}
