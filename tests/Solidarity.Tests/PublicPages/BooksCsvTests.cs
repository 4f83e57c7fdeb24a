using Solidarity.Testing;
using Solidarity.Web.Pages.Disputes.Books;

namespace Solidarity.Tests.PublicPages;

/// <summary>The open books' CSV, written from the books as the page shows them.</summary>
public sealed class BooksCsvTests
{
    [Theory]
    [InlineData("-1+1")]
    [InlineData("=HYPERLINK(\"http://x\")")]
    [InlineData("+44 branch")]
    [InlineData("@SUM(A1)")]
    public void A_branch_name_that_starts_like_a_formula_is_shown_never_run_while_negative_amounts_stay_numbers(string name)
    {
        var figures = new BooksFigures(10_000, 0, -2_550, 0, 0, -170, 0);
        var books = new DisputeBooks(Guid.NewGuid(), "a-dispute", "A dispute", [new BranchBooks(Guid.NewGuid(), "-WM1", name, null, false, figures, [])]);

        var rows = CsvRows.Parse(BooksCsv.Write(books), out _).Select(r => r.ToArray()).ToList();

        Assert.Equal(("'-WM1", "'" + name), (rows[1][0], rows[1][1]));
        Assert.Equal("-25.50", rows[1][5]);
        Assert.Equal("-1.70", rows[1][8]);
    }
}
