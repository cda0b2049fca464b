using EtcdMaintenance.Transport;
using Etcdserverpb;

namespace EtcdMaintenance;

/// <content>Authentication: one token per endpoint, acquired on first use and once more when etcd rejects it.</content>
public sealed partial class EtcdMaintenanceClient
{
    // rpctypes.ErrGRPCAuthNotEnabled: Authenticate on a cluster whose auth is off.
    private const string AuthNotEnabled = "etcdserver: authentication is not enabled";

    private async ValueTask<string?> GetTokenAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (_username is null)
        {
            return null;
        }

        if (_tokens.TryGetValue(endpoint, out var cached))
        {
            return cached.Length == 0 ? null : cached;
        }

        string token;
        try
        {
            token = await AuthenticateAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException ex) when (ex.ServerMessage == AuthNotEnabled)
        {
            // etcd's own client ignores this answer and calls without a token; so does etcdctl --user on such a cluster.
            Log.AuthNotEnabled(_logger, endpoint.Text);
            _tokens[endpoint] = string.Empty;
            return null;
        }
        catch (EtcdException ex) when (ex.ErrorCode == EtcdErrorCode.NotSupportedForLearner)
        {
            // A learner refuses Authenticate, yet etcd 3.5 wants a token even for its Status. Authentication goes through
            // raft and every member applies it with the same token (learners included), so a token from another member
            // is valid on this one.
            token = await AuthenticateElsewhereAsync(endpoint, ex, cancellationToken).ConfigureAwait(false);
        }

        _tokens[endpoint] = token;
        return token;
    }

    private async Task<string> AuthenticateAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken)
    {
        var response = await _transport.UnaryAsync(endpoint, EtcdRpc.Authenticate, static (c, r, o) => c.Auth.AuthenticateAsync(r, o),
            new AuthenticateRequest { Name = _username, Password = _password ?? string.Empty }, Settings.CommandTimeout, token: null, cancellationToken).ConfigureAwait(false);
        Log.Authenticated(_logger, _username!, endpoint.Text);
        return response.Token;
    }

    private async Task<string> AuthenticateElsewhereAsync(EtcdEndpoint learner, EtcdException refusal, CancellationToken cancellationToken)
    {
        foreach (var other in Endpoints)
        {
            if (other.Equals(learner))
            {
                continue;
            }

            try
            {
                return await AuthenticateAsync(other, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdException ex) when (ex.ErrorCode == EtcdErrorCode.NotSupportedForLearner || ex is EtcdUnavailableException)
            {
                // Another learner, or a member that is down: try the next one.
            }
        }

        throw refusal;
    }
}
