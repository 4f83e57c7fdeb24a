using Solidarity.Web.Infrastructure.Email;

namespace Solidarity.Tests.Donations.Checkout;

public sealed class DeliverableEmailTests
{
    [Theory]
    [InlineData("jo@example.org")]
    [InlineData("jo.bloggs+strike@mail.example.co.uk")]
    [InlineData("  padded@example.org  ")]
    [InlineData("o'neill@example.ie")]
    public void Addresses_a_mail_server_takes_pass(string email) => Assert.True(DeliverableEmailAttribute.IsDeliverable(email));

    [Theory]
    [InlineData("jo@example")]
    [InlineData("jo@localhost")]
    [InlineData("@example.org")]
    [InlineData("jo@")]
    [InlineData("jo@@example.org")]
    [InlineData("jo@exa@mple.org")]
    [InlineData("jo bloggs@example.org")]
    [InlineData("Jo <jo@example.org>")]
    [InlineData("\"jo\"@example.org")]
    [InlineData("jo@example..org")]
    [InlineData("jo@.example.org")]
    [InlineData("jo@example.org.")]
    [InlineData("jo@[192.0.2.1]")]
    [InlineData("jo,sam@example.org")]
    [InlineData("jo@example.org (Jo)")]
    public void Addresses_that_would_fail_at_sending_are_refused(string email) => Assert.False(DeliverableEmailAttribute.IsDeliverable(email));

    [Fact]
    public void An_address_longer_than_a_mail_server_accepts_is_refused() =>
        Assert.False(DeliverableEmailAttribute.IsDeliverable(new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".org"));
}
