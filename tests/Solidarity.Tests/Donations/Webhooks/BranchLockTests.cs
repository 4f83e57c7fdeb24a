using System.Net;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Solidarity.Core.Ledger;
using Solidarity.Testing;
using Solidarity.Tests.Ledger;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Donations.Webhooks;

/// <summary>Money taken back from a branch queues behind a remittance payment to that branch, as payments queue behind each other.</summary>
public sealed class BranchLockTests(SiteFixture fixture) : SiteTest(fixture)
{
    private MoneyScenario _scenario = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _scenario = await MoneyScenario.SeedAsync(App);
    }

    [Fact]
    public async Task Chargeback_waits_for_the_branch_lock_a_remittance_payment_holds_before_posting_anything()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_000), 2_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, payment.Completed());

        // What RemittancePayments does while it reads the balance and posts the transfer.
        await using var paying = new NpgsqlConnection(App.ConnectionString);
        await paying.OpenAsync();
        var transaction = await paying.BeginTransactionAsync();
        await using (var lockBranch = new NpgsqlCommand("""SELECT 1 FROM "Branches" WHERE "Id" = @id FOR UPDATE""", paying, transaction))
        {
            lockBranch.Parameters.AddWithValue("id", _scenario.Lutterworth);
            await lockBranch.ExecuteNonQueryAsync();
        }

        var chargeback = WebhookSender.SendAsync(client, payment.Dispute("dp_test_locked", "charge.dispute.created", "needs_response", 2_000));
        var waiting = await WaitingStatementAsync(chargeback);

        Assert.False(chargeback.IsCompleted, "The chargeback was applied while a payment held the branch.");
        Assert.Contains("\"Branches\"", waiting, StringComparison.Ordinal);
        Assert.Contains("FOR UPDATE", waiting, StringComparison.Ordinal);
        await transaction.CommitAsync();
        using var response = await chargeback;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(-2_000, (await MoneyScenario.EntriesAsync(App)).Where(e => e.Kind == LedgerEntryKind.Chargeback).Sum(e => e.AmountPence));
    }

    [Fact]
    public async Task Concurrent_chargebacks_on_donations_sharing_branches_all_apply_without_deadlock()
    {
        using var client = App.CreateClient();
        var payments = new List<CardPayment>();
        for (var i = 0; i < 8; i++)
        {
            var payment = new CardPayment(
                await _scenario.CardDonationAsync(App, 1_000, i % 3 == 0 ? _scenario.Burton : i % 3 == 1 ? _scenario.Lutterworth : null), 1_000);
            await WebhookSender.DeliverAsync(client, payment.Completed());
            payments.Add(payment);
        }

        var fee = (string id) => StripePayloads.BalanceTransaction("txn_" + id, id, -1_000, 1_500, "adjustment");
        var responses = await Task.WhenAll(payments.Select((p, i) =>
            WebhookSender.SendAsync(App.CreateClient(), p.Dispute($"dp_test_many_{i}", "charge.dispute.created", "needs_response", 1_000, fee($"dp_test_many_{i}")))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(-8_000, entries.Where(e => e.Kind == LedgerEntryKind.Chargeback).Sum(e => e.AmountPence));
        Assert.Equal(-12_000, entries.Where(e => e.Kind == LedgerEntryKind.ChargebackFee).Sum(e => e.AmountPence));
    }

    /// <summary>The statement of the backend that waits on a lock, once the webhook's request has reached it.</summary>
    private async Task<string> WaitingStatementAsync(Task<HttpResponseMessage> request)
    {
        var waiting = await LockWaits.UntilAsync(App.ConnectionString, statements => statements.Count > 0, TimeSpan.FromSeconds(15), request);
        return waiting.Count > 0 ? waiting[0]
            : request.IsCompleted ? "(applied without waiting)"
            : "(no statement waiting on a lock)";
    }
}
