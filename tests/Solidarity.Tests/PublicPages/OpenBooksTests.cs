using System.Globalization;
using System.Net;
using System.Security.Claims;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Core.Amounts;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Tests.Ledger;
using Solidarity.Web.Pages.Admin.Money;
using Solidarity.Web.Pages.Donations.Webhooks;
using Solidarity.Web.Pages.Remittances;
using Stripe;

namespace Solidarity.Tests.PublicPages;

/// <summary>
/// Random histories of card gifts (with and without the fee covered), partial refunds, chargebacks opened, won and lost,
/// offline money and its reversal, and statements paid and confirmed, driven through the site's own posting paths; then
/// every cell of the open books page and CSV is checked against sums taken straight from the ledger's entries.
/// </summary>
public sealed class OpenBooksTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const int Steps = 160;

    private static readonly ClaimsPrincipal Approver = AdminSite.Principal();
    private static readonly ClaimsPrincipal Payer = Person(Guid.CreateVersion7(), "chair@example.org");
    private static readonly ClaimsPrincipal Officer = Person(Guid.CreateVersion7(), "officer@example.org");

    /// <summary>Stripe disputes opened in the history, and whether each has closed.</summary>
    private readonly Dictionary<string, (CardPayment Payment, long Pence, bool Closed)> _chargebacks = [];

    private static readonly string[] Figures =
        ["given-by-card", "given-offline", "refunded", "lost-to-chargebacks", "chargebacks-pending", "card-fees", "paid-to-branch", "held"];

    [Fact]
    public async Task Every_cell_of_the_books_page_and_csv_is_the_sum_of_the_ledger_entries_behind_it()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        var random = new Random(20_170_526);
        var paid = new List<CardPayment>();
        var offline = new List<Guid>();
        for (var step = 0; step < Steps; step++)
        {
            switch (random.Next(12))
            {
                case < 4:
                    paid.Add(await CardAsync(scenario, random));
                    break;
                case 4 when paid.Count > 0:
                    await RefundAsync(paid[random.Next(paid.Count)], random);
                    break;
                case 5 when paid.Count > 0:
                    await OpenChargebackAsync(paid[random.Next(paid.Count)], random);
                    break;
                case 6 when _chargebacks.Values.Any(c => !c.Closed):
                    await CloseChargebackAsync(random);
                    break;
                case 7 or 8:
                    offline.Add(await OfflineAsync(scenario, random));
                    break;
                case 9 when offline.Count > 0:
                    var gift = offline[random.Next(offline.Count)];
                    offline.Remove(gift);
                    await ReverseOfflineAsync(gift);
                    break;
                case 10:
                    await PayAsync(random.Next(2) == 0 ? scenario.Burton : scenario.Lutterworth, random);
                    break;
                case 11:
                    await ConfirmSomePaymentAsync();
                    break;
            }
        }

        // A last payment, not yet confirmed by the branch.
        await CardAsync(scenario, random, scenario.Burton);
        await PayAsync(scenario.Burton, random);

        var expected = await ExpectedAsync(scenario.DisputeId);
        using var client = App.CreateClient();
        var page = await GetPageAsync(client, "/disputes/argos-warehouse-strike/books");
        var csv = await GetCsvAsync(client, "/disputes/argos-warehouse-strike/books.csv");

        foreach (var (code, figures) in expected.Figures)
        {
            Assert.Equal(figures, PageFigures(page, code));
            Assert.Equal(figures, CsvFigures(csv, code));
            Assert.Equal(figures[..^1].Select((f, i) => i < 2 ? f : -f).Sum(), figures[^1]);
        }

        foreach (var (code, payments) in expected.Payments)
        {
            Assert.Equal(payments.Order(), PagePayments(page, code).Order());
        }

        // The whole dispute's money went to its branches; each branch's table speaks of that branch.
        Assert.Contains("Paid to the branches", page.QuerySelector("table[data-books='all'] tr[data-figure='paid-to-branch']")!.TextContent, StringComparison.Ordinal);
        Assert.All(page.QuerySelectorAll("table[data-books]:not([data-books='all']) tr[data-figure='paid-to-branch']"),
            row => Assert.Contains("Paid to the branch", row.TextContent, StringComparison.Ordinal));

        // The history is only a good test if it reached the cases it is about.
        var whole = expected.Figures["all"];
        Assert.All(whole, f => Assert.NotEqual(0, f));
        Assert.Contains(expected.Payments.Values.SelectMany(p => p), p => p.Confirmed);
        Assert.Contains(expected.Payments.Values.SelectMany(p => p), p => !p.Confirmed);
    }

    [Fact]
    public async Task A_branch_that_publishes_as_of_its_statement_shows_no_live_figure_on_the_page_or_in_the_csv()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        var random = new Random(14);
        await App.WithDbAsync(db => db.Branches.Where(b => b.Id == scenario.Burton)
            .ExecuteUpdateAsync(b => b.SetProperty(x => x.BooksAsOfStatement, true)));
        using var client = App.CreateClient();
        var before = await GetPageAsync(client, "/disputes/argos-warehouse-strike/books");
        Assert.Contains("has had none yet", before.QuerySelector("[data-branch='WM7680']")!.TextContent, StringComparison.Ordinal);

        for (var i = 0; i < 6; i++)
        {
            await CardAsync(scenario, random);
        }

        await PayAsync(scenario.Burton, random);
        var statementEnd = await App.WithDbAsync(db => db.RemittanceStatements.Where(s => s.BranchId == scenario.Burton).MaxAsync(s => s.PeriodEnd));
        var asOf = await ExpectedAsync(scenario.DisputeId, statementEnd);
        await Task.Delay(50);
        for (var i = 0; i < 4; i++)
        {
            await CardAsync(scenario, random);
        }

        await OfflineAsync(scenario, random, scenario.Burton);
        var live = await ExpectedAsync(scenario.DisputeId);
        await Testing.SolidarityApp.EvictPublicPagesAsync(App);
        var page = await GetPageAsync(client, "/disputes/argos-warehouse-strike/books");
        var csv = await GetCsvAsync(client, "/disputes/argos-warehouse-strike/books.csv");

        Assert.Equal(asOf.Figures["WM7680"], PageFigures(page, "WM7680"));
        Assert.Equal(asOf.Figures["WM7680"], CsvFigures(csv, "WM7680"));
        Assert.Equal(live.Figures["EM1001"], PageFigures(page, "EM1001"));
        Assert.NotEqual(live.Figures["WM7680"][^1], asOf.Figures["WM7680"][^1]);
        var liveHeld = Money.Pence(live.Figures["WM7680"][^1]).Format();
        Assert.DoesNotContain(liveHeld, page.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(Pounds(live.Figures["WM7680"][^1]), csv.SelectMany(r => r));
        var day = LondonDay(statementEnd);
        Assert.Contains($"Held as of the end of {day}", page.QuerySelector("[data-books='WM7680']")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csv_is_rfc_4180_and_names_no_person()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        await App.WithDbAsync(db => db.Branches.Where(b => b.Id == scenario.Burton)
            .ExecuteUpdateAsync(b => b.SetProperty(x => x.Name, "Burton, \"Centre\" branch")));
        var random = new Random(3);
        await CardAsync(scenario, random);
        await OfflineAsync(scenario, random, scenario.Burton);
        await PayAsync(scenario.Burton, random);
        await ConfirmSomePaymentAsync();
        using var client = App.CreateClient();

        using var response = await client.GetAsync(new Uri("/disputes/argos-warehouse-strike/books.csv", UriKind.Relative));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var text = System.Text.Encoding.UTF8.GetString(bytes);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType.CharSet);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("WM7680,\"Burton, \"\"Centre\"\" branch\",now,", text, StringComparison.Ordinal);
        var people = await App.WithDbAsync(async db =>
            (await db.Donations.Select(d => new[] { d.DonorName, d.Email, d.PublicName, d.OrganisationName }).ToListAsync())
            .SelectMany(n => n).Concat(await db.RemittancePayments.Select(p => p.RecordedByName).ToListAsync())
            .Concat(await db.Branches.Select(b => b.ContactName).ToListAsync())
            .Where(n => !string.IsNullOrEmpty(n)).Distinct().ToList());
        Assert.NotEmpty(people);
        Assert.All(people, name => Assert.DoesNotContain(name!, text, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("@", text, StringComparison.Ordinal);
    }

    /// <summary>What the books must say, summed here from the entries: figures by branch code ("all" for the dispute) and payments.</summary>
    private async Task<(Dictionary<string, long[]> Figures, Dictionary<string, List<(string Day, long Pence, bool Confirmed)>> Payments)> ExpectedAsync(
        Guid disputeId, DateTimeOffset? before = null)
    {
        var cutoff = before ?? DateTimeOffset.MaxValue;
        var entries = (await MoneyScenario.EntriesAsync(App)).Where(e => e.DisputeId == disputeId && e.RecordedAt < cutoff).ToList();
        var codes = await App.WithDbAsync(db => db.Branches.ToDictionaryAsync(b => b.Id, b => b.Code));
        var open = _chargebacks.Where(c => !c.Value.Closed).Select(c => c.Key).ToHashSet();
        long[] Sum(IEnumerable<LedgerEntry> mine)
        {
            var list = mine.ToList();
            long Of(params LedgerEntryKind[] kinds) => list.Where(e => kinds.Contains(e.Kind)).Sum(e => e.AmountPence);
            var chargebacks = list.Where(e => e.Kind is LedgerEntryKind.Chargeback or LedgerEntryKind.ChargebackReversed).ToList();
            var pending = -chargebacks.Where(e => open.Contains(e.StripeObjectId!)).Sum(e => e.AmountPence);
            var lost = -chargebacks.Where(e => !open.Contains(e.StripeObjectId!)).Sum(e => e.AmountPence);
            return
            [
                Of(LedgerEntryKind.DonationReceived),
                Of(LedgerEntryKind.OfflineDonation, LedgerEntryKind.OfflineDonationReversed),
                -Of(LedgerEntryKind.Refund, LedgerEntryKind.RefundReversed),
                lost,
                pending,
                -Of(LedgerEntryKind.ProcessingFee, LedgerEntryKind.ChargebackFee),
                -Of(LedgerEntryKind.Remittance),
                list.Sum(e => e.AmountPence),
            ];
        }

        var figures = entries.GroupBy(e => codes[e.BranchId]).ToDictionary(g => g.Key, g => Sum(g));
        figures["all"] = Sum(entries);
        foreach (var code in new[] { "WM7680", "EM1001" })
        {
            figures.TryAdd(code, new long[Figures.Length]);
        }

        var payments = await App.WithDbAsync(db => db.RemittancePayments.AsNoTracking().ToListAsync());
        var byKey = entries.Where(e => e.Kind == LedgerEntryKind.Remittance).ToDictionary(e => e.Key);
        var listed = payments
            .Select(p => (p, Entry: byKey.GetValueOrDefault($"remittance:{p.Id}:{disputeId}")))
            .Where(x => x.Entry is not null)
            .GroupBy(x => codes[x.p.BranchId])
            .ToDictionary(
                g => g.Key,
                g => g.Select(x => (x.p.PaidOn.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")), -x.Entry!.AmountPence, x.p.ConfirmedAt is not null)).ToList());
        return (figures, listed);
    }

    private static long[] PageFigures(IDocument page, string code)
    {
        var table = page.QuerySelector($"table[data-books='{(code == "all" ? "all" : code)}']");
        Assert.NotNull(table);
        return Figures.Select(f => ParsePounds(table!.QuerySelector($"tr[data-figure='{f}'] td")!.TextContent)).ToArray();
    }

    private static long[] CsvFigures(List<string[]> csv, string code)
    {
        var row = csv.Single(r => r[0] == (code == "all" ? "ALL" : code));
        return row[3..].Select(f => (long)(decimal.Parse(f, CultureInfo.InvariantCulture) * 100)).ToArray();
    }

    private static List<(string Day, long Pence, bool Confirmed)> PagePayments(IDocument page, string code) =>
        page.QuerySelectorAll($"table[data-payments='{code}'] tbody tr")
            .Select(r => r.QuerySelectorAll("td").ToList())
            .Select(c => (c[0].TextContent.Trim(), ParsePounds(c[1].ChildNodes[0].TextContent), c[2].TextContent.Trim() == "Yes"))
            .ToList();

    private static long ParsePounds(string text)
    {
        var cleaned = text.Trim().Replace("£", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
        return (long)(decimal.Parse(cleaned, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * 100);
    }

    private static string Pounds(long pence) => (pence / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    private static string LondonDay(DateTimeOffset periodEnd) =>
        DateOnly.FromDateTime(Web.Infrastructure.Hosting.LondonClock.ToLondon(periodEnd).DateTime).AddDays(-1)
            .ToString("dddd d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

    private static async Task<IDocument> GetPageAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The CSV's rows, split by a reader that knows RFC 4180 quoting.</summary>
    private static async Task<List<string[]>> GetCsvAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var rows = CsvRows.Parse(text, out _).Select(r => r.ToArray()).ToList();
        Assert.Equal(11, rows[0].Length);
        Assert.All(rows, r => Assert.Equal(11, r.Length));
        return rows;
    }

    /// <summary>A card gift, the fee covered or not, paid with its fee quoted or not.</summary>
    private async Task<CardPayment> CardAsync(MoneyScenario scenario, Random random, Guid? chosen = null)
    {
        var gift = random.Next(100, 40_001);
        var cover = random.Next(3) == 0 ? 20 + gift * 15 / 1_000 : 0;
        var branch = chosen ?? (random.Next(3) == 0 ? scenario.Burton : null);
        var donationId = await scenario.CardDonationAsync(App, gift + cover, branch);
        if (cover > 0)
        {
            await App.WithDbAsync(db => db.Donations.Where(d => d.Id == donationId)
                .ExecuteUpdateAsync(d => d.SetProperty(x => x.AmountPence, gift).SetProperty(x => x.FeeCoverPence, cover)));
        }

        var payment = new CardPayment(donationId, gift + cover);
        if (random.Next(4) > 0)
        {
            var fee = StripePayloads.BalanceTransaction(StripePayloads.NewId("txn"), payment.ChargeId, gift + cover, 20 + (gift + cover) * 15 / 1_000);
            await ProcessAsync(payment.Completed(), payment.ChargeSucceeded(fee));
        }
        else
        {
            await ProcessAsync(payment.Completed());
        }

        return payment;
    }

    private async Task RefundAsync(CardPayment payment, Random random)
    {
        var held = await HeldAsync(payment);
        if (held > 0)
        {
            await ProcessAsync(payment.Refund(random.Next(1, (int)held + 1)).Event);
        }
    }

    private async Task OpenChargebackAsync(CardPayment payment, Random random)
    {
        var held = await HeldAsync(payment);
        if (held <= 0 || _chargebacks.Values.Any(c => c.Payment == payment))
        {
            return;
        }

        var disputeId = StripePayloads.NewId("dp");
        var pence = random.Next(1, (int)held + 1);
        var fee = StripePayloads.BalanceTransaction(StripePayloads.NewId("txn"), disputeId, -pence, 1_500, "adjustment");
        await ProcessAsync(payment.Dispute(disputeId, "charge.dispute.created", "needs_response", pence, fee));
        _chargebacks[disputeId] = (payment, pence, false);
    }

    private async Task CloseChargebackAsync(Random random)
    {
        var (disputeId, (payment, pence, _)) = _chargebacks.Where(c => !c.Value.Closed).OrderBy(_ => random.Next()).First();
        var won = random.Next(2) == 0;
        if (won)
        {
            await ProcessAsync(payment.Dispute(disputeId, "charge.dispute.funds_reinstated", "won", pence));
        }

        await ProcessAsync(payment.Dispute(disputeId, "charge.dispute.closed", won ? "won" : "lost", pence));
        _chargebacks[disputeId] = (payment, pence, true);
    }

    private async Task<Guid> OfflineAsync(MoneyScenario scenario, Random random, Guid? branch = null)
    {
        var gift = new OfflineGift(
            Guid.CreateVersion7(), scenario.DisputeId, branch ?? (random.Next(2) == 0 ? scenario.Burton : scenario.Lutterworth),
            DonationMethod.Collection, random.Next(100, 20_001), DateTimeOffset.UtcNow, "Bucket holder", null, null, "Picket line");
        await using var scope = App.Scope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<OfflineMoney>().RecordAsync(gift, Approver, CancellationToken.None));
        return gift.EntryId;
    }

    private async Task ReverseOfflineAsync(Guid giftId)
    {
        await using var scope = App.Scope();
        Assert.IsType<Web.Pages.Ledger.OfflineReversal.Reversed>(
            await scope.ServiceProvider.GetRequiredService<OfflineMoney>().ReverseAsync(giftId, "Bounced", true, Approver, CancellationToken.None));
    }

    /// <summary>The branch's period is closed now; its statement approved by one admin and paid, in part or whole, by another.</summary>
    private async Task PayAsync(Guid branchId, Random random)
    {
        await using var scope = App.Scope();
        var builder = scope.ServiceProvider.GetRequiredService<StatementBuilder>();
        var payments = scope.ServiceProvider.GetRequiredService<RemittancePayments>();
        await builder.BuildAsync(branchId, DateTimeOffset.UtcNow, CancellationToken.None);
        var statement = await App.WithDbAsync(db => db.RemittanceStatements.Where(s => s.BranchId == branchId)
            .OrderByDescending(s => s.PeriodEnd).Select(s => new { s.Id, s.ApprovedAt }).FirstOrDefaultAsync());
        if (statement is null)
        {
            return;
        }

        if (statement.ApprovedAt is null)
        {
            await payments.ApproveAsync(statement.Id, Approver, CancellationToken.None);
        }

        var (approved, alreadyPaid) = await payments.StatementPaymentsAsync(statement.Id, CancellationToken.None);
        var owed = await payments.OwedAsync(branchId, CancellationToken.None);
        var most = Math.Min(approved - alreadyPaid, owed);
        if (most <= 0)
        {
            return;
        }

        var pence = random.Next(2) == 0 ? most : random.NextInt64(1, most + 1);
        var result = await payments.RecordAsync(
            statement.Id,
            new PaymentRequest(DateOnly.FromDateTime(Web.Infrastructure.Hosting.LondonClock.ToLondon(DateTimeOffset.UtcNow).DateTime), Pounds(pence), StripePayloads.NewId("BACS")),
            Payer,
            CancellationToken.None);
        Assert.True(result.Done, string.Join("; ", result.Errors.Select(e => e.Value)));
    }

    private async Task ConfirmSomePaymentAsync()
    {
        var payment = await App.WithDbAsync(db => db.RemittancePayments.Where(p => p.ConfirmedAt == null)
            .Select(p => new { p.Id, p.BranchId }).FirstOrDefaultAsync());
        if (payment is not null)
        {
            await using var scope = App.Scope();
            await scope.ServiceProvider.GetRequiredService<RemittancePayments>().ConfirmAsync(payment.Id, payment.BranchId, Officer, CancellationToken.None);
        }
    }

    private Task<long> HeldAsync(CardPayment payment) =>
        App.WithDbAsync(db => db.LedgerEntries
            .Where(e => e.DonationId == payment.DonationId && e.Kind != LedgerEntryKind.ProcessingFee && e.Kind != LedgerEntryKind.ChargebackFee)
            .SumAsync(e => e.AmountPence));

    private async Task ProcessAsync(params string[] payloads)
    {
        foreach (var payload in payloads)
        {
            await using var scope = App.Scope();
            var outcome = await scope.ServiceProvider.GetRequiredService<StripeEventProcessor>()
                .ProcessAsync(EventUtility.ParseEvent(payload, throwOnApiVersionMismatch: false), CancellationToken.None);
            Assert.Equal(WebhookOutcomes.Applied, outcome);
        }
    }

    private static ClaimsPrincipal Person(Guid id, string email) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id.ToString()), new Claim(ClaimTypes.Email, email)], "test"));
}
