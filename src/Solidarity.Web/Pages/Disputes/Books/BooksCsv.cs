namespace Solidarity.Web.Pages.Disputes.Books;

/// <summary>
/// The books' table as CSV: UTF-8, one row per branch and one for the whole dispute, fields quoted as RFC 4180 says,
/// lines ended CRLF. Branch names and amounts only: nothing about any donor or officer.
/// </summary>
internal static class BooksCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>The whole dispute's row, in place of a branch code.</summary>
    public const string WholeDispute = "ALL";

    public static readonly string[] Header =
    [
        "Branch code", "Branch", "As of", "Given by card (GBP)", "Given offline (GBP)", "Refunded (GBP)", "Lost to chargebacks (GBP)",
        "Chargebacks pending (GBP)", "Card fees (GBP)", "Paid to the branch (GBP)", "Held (GBP)",
    ];

    public static string Write(DisputeBooks books)
    {
        var csv = new StringBuilder();
        Row(csv, Header);
        foreach (var branch in books.Branches)
        {
            // A branch's code and name are typed by an admin, and guarded as every typed text in the site's CSV is.
            Row(csv, [StatementCsv.Text(branch.Code), StatementCsv.Text(branch.Name), AsOf(branch), .. Amounts(branch.Figures)]);
        }

        Row(csv, [WholeDispute, "Whole dispute", books.AnyAsOf ? "each branch as of its own date" : "now", .. Amounts(books.Whole)]);
        return csv.ToString();
    }

    /// <summary>"now", or the ISO date of the last day a statement covers (its period ends at 00:00 the next day).</summary>
    private static string AsOf(BranchBooks branch) =>
        branch.NoStatementYet ? "no statement yet"
        : branch.AsOfDay is { } day ? day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : "now";

    private static IEnumerable<string> Amounts(BooksFigures f) =>
        new[] { f.GivenByCardPence, f.GivenOfflinePence, f.RefundedPence, f.LostToChargebacksPence, f.ChargebacksPendingPence, f.CardFeesPence, f.PaidPence, f.HeldPence }
            .Select(Pounds);

    /// <summary>"1234.56": a plain number a spreadsheet adds up.</summary>
    public static string Pounds(long pence) => (pence / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    private static void Row(StringBuilder csv, IEnumerable<string> fields)
    {
        csv.AppendJoin(',', fields.Select(Field));
        csv.Append("\r\n");
    }

    /// <summary>Quoted, with quotes doubled, when it holds a comma, a quote or a line break.</summary>
    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
