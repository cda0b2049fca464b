namespace EtcdMaintenance.Tests.Client;

/// <summary>etcdctl's <c>--user</c> / <c>--password</c> splitting.</summary>
public sealed class EtcdCredentialsTests
{
    [Theory]
    [InlineData("root", null, "root", null)]
    [InlineData("root:secret", null, "root", "secret")]
    [InlineData("root:pa:ss", null, "root", "pa:ss")]
    [InlineData("root:", null, "root", "")]
    [InlineData("ro:ot", "secret", "ro:ot", "secret")]
    [InlineData("root", "secret", "root", "secret")]
    public void Parse_SplitsAtTheFirstColon_OnlyWithoutAPassword(string user, string? password, string expectedUser, string? expectedPassword)
    {
        var credentials = EtcdCredentials.Parse(user, password);

        Assert.Equal(expectedUser, credentials.Username);
        Assert.Equal(expectedPassword, credentials.Password);
    }

    [Theory]
    [InlineData(":secret", null)]
    [InlineData("", "secret")]
    public void Parse_RefusesAnEmptyName_WithoutEchoingThePassword(string user, string? password)
    {
        var error = Assert.Throws<FormatException>(() => EtcdCredentials.Parse(user, password));

        Assert.Contains("user name is empty", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_DoesNotShowThePassword() =>
        Assert.DoesNotContain("secret", EtcdCredentials.Parse("root:secret").ToString(), StringComparison.Ordinal);
}
