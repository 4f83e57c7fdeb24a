using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Disputes;
using Solidarity.Core.Messages;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Messages;

namespace Solidarity.Tests.Messages;

public sealed class DigestTests(PublicSiteFixture fixture) : MessagesTest(fixture)
{
    private async Task AddApprovedAsync(Guid disputeId, string body, DateTimeOffset approvedAt, string? author = "Jo")
    {
        await App.WithDbAsync(db =>
        {
            db.SupportMessages.Add(new SupportMessage
            {
                DisputeId = disputeId, Body = body, AuthorName = author, Town = "Leek", Status = ModerationStatus.Approved,
                CreatedAt = approvedAt.AddHours(-1), ModeratedAt = approvedAt,
            });
            return db.SaveChangesAsync();
        });
    }

    private Task<int> RunDigestAsync() => RunAsync<SendBranchDigestsJob, int>(job => job.RunAsync(CancellationToken.None));

    /// <summary>Gives the loopback server a moment to hand over anything in flight; a sent digest is on it before the job returns.</summary>
    private async Task<List<MimeKit.MimeMessage>> MailboxAsync()
    {
        await Task.Delay(100);
        return [.. Smtp.Messages];
    }

    [Fact]
    public async Task The_digest_is_emailed_once_a_day_and_the_next_day_only_with_what_is_new()
    {
        await AddApprovedAsync(Argos.Id, "Solidarity from Leek trades council", Clock.Now.AddHours(-3));
        await AddApprovedAsync(Argos.Id, "Stay strong, from the RMT", Clock.Now.AddHours(-2), author: null);

        Assert.Equal(1, await RunDigestAsync());
        Assert.Equal(0, await RunDigestAsync());
        Clock.Now = Clock.Now.AddHours(6);
        Assert.Equal(0, await RunDigestAsync());

        var first = Assert.Single(await MailboxAsync());
        Assert.Equal(BurtonEmail, first.To.Mailboxes.Single().Address);
        Assert.Equal("2 new messages of support for Burton on Trent branch (Wednesday 20 May 2026)", first.Subject);
        Assert.Contains("Solidarity from Leek trades council", first.TextBody, StringComparison.Ordinal);
        Assert.Contains("from Anonymous, Leek", first.TextBody, StringComparison.Ordinal);
        Assert.Contains($"{PublicSiteApp.BaseUrl}/disputes/{Slug}#messages", first.TextBody, StringComparison.Ordinal);

        Clock.Now = TestClock.Default.AddDays(1);
        Assert.Equal(0, await RunDigestAsync());
        Assert.Single(await MailboxAsync());

        await AddApprovedAsync(Argos.Id, "A new message on Thursday", Clock.Now.AddMinutes(-30));
        Assert.Equal(1, await RunDigestAsync());
        Assert.Equal(0, await RunDigestAsync());
        Clock.Now = TestClock.Default.AddDays(2);
        Assert.Equal(0, await RunDigestAsync());

        var mailbox = await MailboxAsync();
        Assert.Equal(2, mailbox.Count);
        var second = mailbox[1];
        Assert.Equal("1 new message of support for Burton on Trent branch (Thursday 21 May 2026)", second.Subject);
        Assert.Contains("A new message on Thursday", second.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("Leek trades council", second.TextBody, StringComparison.Ordinal);
        Assert.NotEqual(first.MessageId, second.MessageId);
        Assert.Equal(2, await App.WithDbAsync(db => db.BranchDigests.CountAsync()));
    }

    [Fact]
    public async Task Branches_without_an_email_or_without_new_messages_for_their_disputes_get_nothing()
    {
        Dispute other = default!;
        await App.WithDbAsync(async db =>
        {
            other = new Dispute
            {
                Slug = "another-dispute", Title = "Another dispute", Employer = "Someone", UnionId = Burton.UnionId, Summary = "s", Body = "b",
                IsPublished = true, CreatedAt = Clock.Now, UpdatedAt = Clock.Now,
            };
            other.Beneficiaries.Add(new BeneficiaryBranch { BranchId = Castleford.Id, ShareBasisPoints = 10_000 });
            db.Disputes.Add(other);
            await db.SaveChangesAsync();
        });
        await AddApprovedAsync(other.Id, "For Castleford only", Clock.Now.AddHours(-1));
        await App.WithDbAsync(db =>
        {
            db.SupportMessages.Add(new SupportMessage { DisputeId = Argos.Id, Body = "Still pending", CreatedAt = Clock.Now.AddHours(-1) });
            return db.SaveChangesAsync();
        });

        Assert.Equal(0, await RunDigestAsync());

        Assert.Empty(await MailboxAsync());
        Assert.Equal(0, await App.WithDbAsync(db => db.BranchDigests.CountAsync()));
    }

    [Fact]
    public async Task Two_runs_at_once_send_one_digest()
    {
        await AddApprovedAsync(Argos.Id, "Once only", Clock.Now.AddHours(-1));

        var sent = await Task.WhenAll(RunDigestAsync(), RunDigestAsync(), RunDigestAsync());

        Assert.Equal(1, sent.Sum());
        Assert.Single(await MailboxAsync());
        Assert.Equal(1, await App.WithDbAsync(db => db.BranchDigests.CountAsync()));
    }

    [Fact]
    public async Task A_branch_whose_address_the_mail_server_refuses_holds_back_no_other_branch_s_digest()
    {
        const string castlefordEmail = "yh0001@branch.example";
        await App.WithDbAsync(db => db.Branches.Where(b => b.Id == Castleford.Id).ExecuteUpdateAsync(b => b.SetProperty(x => x.ContactEmail, castlefordEmail)));
        await AddApprovedAsync(Argos.Id, "For both branches", Clock.Now.AddHours(-1));

        // Burton's digest comes first (its code sorts first), and its address no longer exists.
        Smtp.Refuse(BurtonEmail);
        await Assert.ThrowsAsync<AggregateException>(RunDigestAsync);

        Assert.Equal(castlefordEmail, Assert.Single(await MailboxAsync()).To.Mailboxes.Single().Address);
        Assert.Equal(2, await App.WithDbAsync(db => db.BranchDigests.CountAsync()));
    }

    [Fact]
    public async Task A_digest_the_mail_server_refused_is_sent_by_the_next_run_and_only_then()
    {
        await AddApprovedAsync(Argos.Id, "Through the outage", Clock.Now.AddHours(-1));
        await Smtp.StopListeningAsync();
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(RunDigestAsync);
        }
        finally
        {
            await Smtp.StartListeningAsync();
        }

        Assert.Equal(1, await RunDigestAsync());
        Assert.Equal(0, await RunDigestAsync());
        Assert.Contains("Through the outage", Assert.Single(await MailboxAsync()).TextBody, StringComparison.Ordinal);
    }
}
