using Npgsql;
using Solidarity.Web.Infrastructure.Hosting;

namespace Solidarity.Tests.Hosting;

/// <summary>The site's own connections prepare the statements they send often, unless the operator's string says otherwise.</summary>
public sealed class DatabaseConnectionTests
{
    private const string Given = "Host=db.example.org;Database=solidarity;Username=solidarity;Password=secret";

    [Fact]
    public void A_connection_string_without_a_setting_gets_automatic_preparation()
    {
        var prepared = new NpgsqlConnectionStringBuilder(DatabaseHosting.Prepared(Given));

        Assert.Equal(100, prepared.MaxAutoPrepare);
        Assert.Equal(2, prepared.AutoPrepareMinUsages);
        Assert.Equal("db.example.org", prepared.Host);
        Assert.Equal("secret", prepared.Password);
    }

    [Theory]
    [InlineData("Max Auto Prepare=0", 0)]
    [InlineData("MaxAutoPrepare=0", 0)]
    [InlineData("max auto prepare=20", 20)]
    public void A_connection_string_that_sets_it_keeps_its_own(string setting, int expected)
    {
        var prepared = new NpgsqlConnectionStringBuilder(DatabaseHosting.Prepared($"{Given};{setting}"));

        Assert.Equal(expected, prepared.MaxAutoPrepare);
    }
}
