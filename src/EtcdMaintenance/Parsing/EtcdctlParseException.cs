namespace EtcdMaintenance.Parsing;

/// <summary>
/// The only exception the etcdctl output parsers throw for bad input (garbage, truncated output, an empty string, output
/// of another command): it says where (<see cref="Line"/>, <see cref="Column"/>) and what was expected. Misuse (a
/// <see langword="null"/> argument) throws the usual <see cref="ArgumentNullException"/>.
/// </summary>
public sealed class EtcdctlParseException : FormatException
{
    /// <summary>Creates the exception with a default message, for output that is not what was expected at no particular place.</summary>
    public EtcdctlParseException()
        : this("The etcdctl output could not be parsed.")
    {
    }

    /// <summary>Creates the exception with a message, for output that is not what was expected at no particular place.</summary>
    /// <param name="message">What went wrong.</param>
    public EtcdctlParseException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the exception with a message and its cause; <see cref="Error"/> is malformed output, line and column 0.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public EtcdctlParseException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Error = new EtcdctlParseError(EtcdctlParseErrorKind.Malformed, 0, 0, message, null);
    }

    /// <summary>Creates the exception for a parse error.</summary>
    public EtcdctlParseException(EtcdctlParseError error)
        : base((error ?? throw new ArgumentNullException(nameof(error))).Message)
    {
        Error = error;
    }

    /// <summary>The error: kind, line, column, expected, found.</summary>
    public EtcdctlParseError Error { get; }

    /// <summary>What kind of problem it is.</summary>
    public EtcdctlParseErrorKind Kind => Error.Kind;

    /// <summary>The 1-based line of the problem, or 0.</summary>
    public int Line => Error.Line;

    /// <summary>The 1-based column of the problem, or 0.</summary>
    public int Column => Error.Column;

    /// <summary>What the parser expected there.</summary>
    public string Expected => Error.Expected;
}
