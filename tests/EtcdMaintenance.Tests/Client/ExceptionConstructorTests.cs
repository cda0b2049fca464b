namespace EtcdMaintenance.Tests.Client;

/// <summary>The standard constructors of the client's exceptions keep the message and the cause and set the type's own codes.</summary>
public sealed class ExceptionConstructorTests
{
    public static TheoryData<Type, EtcdStatusCode, EtcdErrorCode> Types => new()
    {
        { typeof(EtcdException), EtcdStatusCode.Unknown, EtcdErrorCode.Unknown },
        { typeof(EtcdNoSpaceException), EtcdStatusCode.ResourceExhausted, EtcdErrorCode.NoSpace },
        { typeof(EtcdRevisionException), EtcdStatusCode.OutOfRange, EtcdErrorCode.RevisionCompacted },
        { typeof(EtcdMemberNotFoundException), EtcdStatusCode.NotFound, EtcdErrorCode.MemberNotFound },
        { typeof(EtcdUnhealthyClusterException), EtcdStatusCode.Unavailable, EtcdErrorCode.UnhealthyCluster },
        { typeof(EtcdAuthException), EtcdStatusCode.InvalidArgument, EtcdErrorCode.AuthenticationFailed },
        { typeof(EtcdUnavailableException), EtcdStatusCode.Unavailable, EtcdErrorCode.EndpointUnavailable },
        { typeof(EtcdClusterMismatchException), EtcdStatusCode.FailedPrecondition, EtcdErrorCode.SafetyCheckRefused },
    };

    [Theory]
    [MemberData(nameof(Types))]
    public void StandardConstructors_KeepMessageAndCause_AndSetTheTypesCodes(Type type, EtcdStatusCode status, EtcdErrorCode code)
    {
        var cause = new IOException("below");
        var none = (EtcdException)Activator.CreateInstance(type)!;
        var withMessage = (EtcdException)Activator.CreateInstance(type, "what happened")!;
        var withCause = (EtcdException)Activator.CreateInstance(type, "what happened", cause)!;

        Assert.False(string.IsNullOrWhiteSpace(none.Message));
        Assert.Equal("what happened", withMessage.Message);
        Assert.Null(withMessage.InnerException);
        Assert.Same(cause, withCause.InnerException);
        Assert.All(new[] { none, withMessage, withCause }, e =>
        {
            Assert.Equal(status, e.StatusCode);
            Assert.Equal(code, e.ErrorCode);
            Assert.Null(e.Endpoint);
            Assert.Equal(string.Empty, e.Operation);
        });
    }
}
