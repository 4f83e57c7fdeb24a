using System.Globalization;
using System.Text;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Remittances;

namespace Solidarity.Tests.Remittances;

/// <summary>The statement's PDF and CSV, downloaded by the branch officer and checked against the ledger line by line.</summary>
public sealed class StatementFileTests(JobsSiteFixture fixture) : RemittancesTest(fixture)
{
    private const int Donations = 130;

    [Fact]
    public async Task Csv_matches_the_ledger_line_by_line_and_adds_up_to_the_statement()
    {
        var (statementId, statement, officer, expected) = await WeekOfGiftsAsync();
        using var _ = officer;

        var csv = StatementFileReader.Csv(await DownloadAsync(officer, $"/branch/statements/{statementId}/csv", "text/csv"));
        Assert.Equal(StatementCsv.Header, csv[0]);
        var rows = csv.Skip(1).ToList();
        Assert.Equal(Donations + 1, rows.Count);
        Assert.Equal(statement.DonationCount, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(6, row.Count);
            var rowGross = Pence(row[3]);
            var (from, method, fee) = expected[rowGross];
            Assert.Equal(from, row[1]);
            Assert.Equal(method, row[2]);
            Assert.Equal(fee, Pence(row[4]));
            Assert.Equal(rowGross - fee, Pence(row[5]));
            Assert.Matches(@"^2017-05-(1[5-9]|2[01])$", row[0]);
        }

        Assert.Equal(statement.CardDonationsPence + statement.OfflinePence, rows.Sum(r => Pence(r[3])));
        Assert.Equal(-statement.FeesPence, rows.Sum(r => Pence(r[4])));
        Assert.Equal(-4_000, statement.RefundsPence);
        Assert.Equal(-6_000, statement.ChargebacksPence);
        Assert.Equal(6_000, statement.ChargebackReversalsPence);
        Assert.Equal(await LedgerSumAsync(Burton, WeekOneEnd), statement.ClosingPence);
    }

    [Fact]
    public async Task Pdf_matches_the_ledger_line_by_line_with_totals_carried_across_pages()
    {
        var (statementId, statement, officer, expected) = await WeekOfGiftsAsync();
        using var _ = officer;

        var pdf = await DownloadAsync(officer, $"/branch/statements/{statementId}/pdf", "application/pdf");
        var pages = PdfTextReader.Lines(pdf);
        Assert.True(pages.Count >= 3, $"Expected several pages, got {pages.Count}.");
        var first = string.Join("\n", pages[0]);
        Assert.Contains(JobsSiteApp.OrganisationName, first, StringComparison.Ordinal);
        Assert.Contains("Burton on Trent (WM7680)", first, StringComparison.Ordinal);
        Assert.Contains("Period: 15 May 2017 to 21 May 2017", first, StringComparison.Ordinal);
        foreach (var (label, pence) in new StatementFacts(statement, "WM7680", "Burton on Trent").Summary)
        {
            Assert.Contains($"{label} {StatementPdf.Amount(pence)}", first, StringComparison.Ordinal);
        }

        long gross = 0, fees = 0;
        var lines = 0;
        for (var p = 0; p < pages.Count; p++)
        {
            var page = pages[p];
            Assert.Single(page, l => l.EndsWith($"Page {p + 1} of {pages.Count}", StringComparison.Ordinal));
            if (p > 0)
            {
                Assert.Contains(TotalsLine(StatementPdf.BroughtForward, gross, fees), page);
            }

            foreach (var line in page.Where(l => DateLine(l)))
            {
                var words = line.Split(' ');
                var lineGross = Amount(words[^3]);
                var (from, method, fee) = expected[lineGross];
                Assert.Equal(fee, Amount(words[^2]));
                Assert.Equal(lineGross - fee, Amount(words[^1]));
                Assert.Contains(method, line, StringComparison.Ordinal);
                Assert.StartsWith(from.TrimStart('\'')[..Math.Min(8, from.Length - 1)].TrimEnd(), line[11..], StringComparison.Ordinal);
                gross += lineGross;
                fees += fee;
                lines++;
            }

            Assert.Contains(TotalsLine(p == pages.Count - 1 ? StatementPdf.Total : StatementPdf.CarriedForward, gross, fees), page);
        }

        Assert.Equal(statement.DonationCount, lines);
        Assert.Equal(statement.CardDonationsPence + statement.OfflinePence, gross);
    }

    [Fact]
    public async Task Statement_files_name_no_private_donor_and_no_gift_from_another_week_or_branch()
    {
        var week = await WeekOfGiftsAsync();
        using var officer = week.Officer;

        var pdf = await DownloadAsync(officer, $"/branch/statements/{week.StatementId}/pdf", "application/pdf");
        var everything = PdfTextReader.LinesText(pdf) + Encoding.UTF8.GetString(await DownloadAsync(officer, $"/branch/statements/{week.StatementId}/csv", "text/csv"));
        foreach (var secret in new[] { "Private Donor Name", "private.donor@example.org", "Next Week", "Other Branch", "Amount Hidden" })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }

    /// <summary>What a week of Burton's statement is checked against: each gift's line by its gross amount (its "from", method and fee).</summary>
    private sealed record Week(Guid StatementId, Solidarity.Core.Remittances.RemittanceStatement Statement, HttpClient Officer, Dictionary<long, (string From, string Method, long Fee)> Expected);

    /// <summary>
    /// 130 gifts to Burton in one week (anonymous, named, organisations, names a spreadsheet would run, cheques), one
    /// refunded in part then charged back and won back, with a gift the next week and one to another branch; the week's
    /// statement built, and its branch officer signed in.
    /// </summary>
    private async Task<Week> WeekOfGiftsAsync()
    {
        var weekStart = WeekOneEnd.AddDays(-7);
        var expected = new Dictionary<long, (string From, string Method, long Fee)>();
        for (var i = 0; i < Donations; i++)
        {
            var amount = 500 + i * 7;
            // A name shown publicly without its amount, and an organisation that hid its amount, every tenth gift.
            var showAmount = i % 10 is not (4 or 6);
            var (publicName, organisation, from) = (i % 5) switch
            {
                0 => ((string?)null, (string?)null, "Anonymous"),
                1 => ("Jo Bloggs", "Momentum South Birmingham", "Momentum South Birmingham"),
                2 => ("=HYPERLINK(\"http://evil.example\")", null, "'=HYPERLINK(\"http://evil.example\")"),
                3 => ("Smith, \"Sam\"", null, "Smith, \"Sam\""),
                _ when !showAmount => ($"Amount Hidden {i}", null, "Anonymous"),
                _ => ($"Supporter {i}", null, $"Supporter {i}"),
            };
            var offline = i % 9 == 0;
            var fee = offline ? 0 : 20 + amount * 15 / 1_000;
            await GiveAsync(
                Burton, amount, weekStart.AddMinutes(60 * i + 30), fee, offline ? DonationMethod.Cheque : DonationMethod.Card, publicName, organisation,
                showAmount: showAmount);
            expected[amount] = (from, offline ? "Cheque" : "Card (online)", fee);
        }

        var refunded = await GiveAsync(Burton, 10_000, weekStart.AddHours(1), 170, publicName: "Refunded Supporter");
        expected[10_000] = ("Refunded Supporter", "Card (online)", 170);
        await PostAsync(refunded, LedgerEntryKind.Refund, -4_000, weekStart.AddHours(2));
        await PostAsync(refunded, LedgerEntryKind.Chargeback, -6_000, weekStart.AddHours(3));
        await PostAsync(refunded, LedgerEntryKind.ChargebackReversed, 6_000, weekStart.AddHours(4));
        await GiveAsync(Burton, 99_999, WeekOneEnd, 100, publicName: "Next Week");
        await GiveAsync(Lutterworth, 77_777, weekStart.AddHours(5), 100, publicName: "Other Branch");

        var statementId = (await BuildAsync(Burton, WeekOneEnd))!.Value;
        var statement = Assert.Single(await StatementsAsync(Burton));
        var (officer, _) = await OfficerAsync(Burton, "officer@example.org");
        return new Week(statementId, statement, officer, expected);
    }

    [Fact]
    public async Task Statement_files_are_the_same_each_time_they_are_generated()
    {
        await GiveAsync(Burton, 2_500, WeekOneEnd.AddDays(-2), 58, publicName: "Jo");
        var statementId = (await BuildAsync(Burton, WeekOneEnd))!.Value;
        var (officer, _) = await OfficerAsync(Burton, "officer@example.org");

        var csv = await DownloadAsync(officer, $"/branch/statements/{statementId}/csv", "text/csv");
        Assert.Equal(csv, await DownloadAsync(officer, $"/branch/statements/{statementId}/csv", "text/csv"));
        var pdf = PdfTextReader.Lines(await DownloadAsync(officer, $"/branch/statements/{statementId}/pdf", "application/pdf"));
        Assert.Equal(pdf, PdfTextReader.Lines(await DownloadAsync(officer, $"/branch/statements/{statementId}/pdf", "application/pdf")));
        Assert.Contains(pdf[0], l => l.EndsWith("Page 1 of 1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+44 20", "'+44 20")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("Jo = friend", "Jo = friend")]
    public void Csv_text_that_a_spreadsheet_would_run_as_a_formula_is_made_inert(string typed, string written) =>
        Assert.Equal(written, StatementCsv.Text(typed));

    private static bool DateLine(string line) =>
        line.Length > 10 && DateTime.TryParseExact(line[..10], "dd/MM/yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static string TotalsLine(string label, long gross, long fees) =>
        $"{label} {StatementPdf.Amount(gross)} {StatementPdf.Amount(fees)} {StatementPdf.Amount(gross - fees)}";

    private static long Pence(string pounds) => (long)(decimal.Parse(pounds, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) * 100);

    private static long Amount(string shown) =>
        (long)(decimal.Parse(shown.Replace("£", "", StringComparison.Ordinal), NumberStyles.Number, LondonClock.Uk) * 100);
}
