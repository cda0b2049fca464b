namespace EtcdMaintenance.Parsing;

/// <summary>Turns an error message etcdctl printed into the client's exception, so both sources report failures alike.</summary>
internal static class EtcdctlErrors
{
    public static EtcdException ToException(string endpoint, string operation, string message)
    {
        // etcdctl prints gRPC errors as "rpc error: code = Unavailable desc = ..."; context errors as Go prints them.
        var status = EtcdStatusCode.Unknown;
        var serverMessage = message;
        const string codePrefix = "rpc error: code = ";
        var codeAt = message.IndexOf(codePrefix, StringComparison.Ordinal);
        if (codeAt >= 0)
        {
            var rest = message.AsSpan(codeAt + codePrefix.Length);
            var space = rest.IndexOf(' ');
            var name = space < 0 ? rest : rest[..space];
            if (Enum.TryParse(name, ignoreCase: false, out EtcdStatusCode parsed))
            {
                status = parsed;
            }

            var desc = message.IndexOf(" desc = ", codeAt, StringComparison.Ordinal);
            if (desc >= 0)
            {
                serverMessage = message[(desc + " desc = ".Length)..];
            }
        }
        else if (message.Contains("context deadline exceeded", StringComparison.Ordinal))
        {
            status = EtcdStatusCode.DeadlineExceeded;
        }
        else if (message.Contains("connection refused", StringComparison.Ordinal) || message.Contains("no such host", StringComparison.Ordinal))
        {
            status = EtcdStatusCode.Unavailable;
        }

        return EtcdErrors.FromStatus(endpoint, operation, status, serverMessage);
    }
}
