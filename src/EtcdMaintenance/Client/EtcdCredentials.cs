namespace EtcdMaintenance;

/// <summary>
/// An etcd user and password as etcdctl takes them: <c>--user NAME:PASSWORD</c>, or <c>--user NAME</c> with
/// <c>--password</c>. Put them in <see cref="EtcdClientOptions.Username"/> and <see cref="EtcdClientOptions.Password"/>.
/// </summary>
/// <remarks><see cref="object.ToString"/> is not overridden, so the password never ends up in a log by accident.</remarks>
public sealed class EtcdCredentials
{
    /// <summary>The etcd user.</summary>
    public required string Username { get; init; }

    /// <summary>The user's password; <see langword="null"/> when none was given (etcdctl would prompt for it).</summary>
    public string? Password { get; init; }

    /// <summary>
    /// Reads etcdctl's <c>--user</c> and <c>--password</c> values: without a password, <paramref name="user"/> is split at
    /// its first <c>:</c> into name and password (<c>root:pa:ss</c> is user <c>root</c>, password <c>pa:ss</c>); with a
    /// password, <paramref name="user"/> is the name as it is, colons included.
    /// </summary>
    /// <param name="user">The <c>--user</c> value: <c>NAME</c> or <c>NAME:PASSWORD</c>.</param>
    /// <param name="password">The <c>--password</c> value, when given.</param>
    /// <returns>The user and password.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="user"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The user name is empty (the message never contains the password).</exception>
    public static EtcdCredentials Parse(string user, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        var colon = password is null ? user.IndexOf(':', StringComparison.Ordinal) : -1;
        var name = colon < 0 ? user : user[..colon];
        if (name.Length == 0)
        {
            throw new FormatException("The etcd user name is empty: write the user as NAME or NAME:PASSWORD.");
        }

        return new EtcdCredentials { Username = name, Password = colon < 0 ? password : user[(colon + 1)..] };
    }
}
