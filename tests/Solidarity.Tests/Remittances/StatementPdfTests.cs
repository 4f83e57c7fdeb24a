using Solidarity.Core.Donations;
using Solidarity.Core.Remittances;
using Solidarity.Testing;
using Solidarity.Web.Pages.Remittances;

namespace Solidarity.Tests.Remittances;

/// <summary>The statement PDF written front to back into a stream that cannot seek, then read back as a reader would.</summary>
public sealed class StatementPdfTests
{
    private const string LongName = "The Amalgamated Society of Very Long Named Trades Council Branches and Associated Supporters of the Strike Fund";

    [Fact]
    public async Task A_many_page_statement_streams_to_a_well_formed_pdf_with_every_page_numbered_and_long_names_cut_to_their_column()
    {
        const int count = 400;
        var facts = Facts(count);
        var lines = Enumerable.Range(0, count)
            .Select(i => new StatementLine(Guid.NewGuid(), facts.Statement.PeriodStart.AddMinutes(i), i % 7 == 0 ? LongName : $"Supporter {i}", DonationMethod.Card, 123_456 + i, 1_234))
            .ToList();

        using var output = new AppendOnlyStream();
        var pages = await StatementPdf.WriteAsync(output, facts, "Burton TUC", count, ToAsync(lines), CancellationToken.None);

        var read = PdfTextReader.Lines(output.ToArray());
        Assert.True(pages > 3, $"Expected many pages, got {pages}.");
        Assert.Equal(pages, read.Count);
        for (var p = 0; p < read.Count; p++)
        {
            Assert.Single(read[p], l => l.EndsWith($"Page {p + 1} of {pages}", StringComparison.Ordinal));
        }

        var text = string.Join("\n", read.SelectMany(p => p));
        Assert.Contains("Closing balance owed to the branch £1,234,567.89", text, StringComparison.Ordinal);
        Assert.Contains("£1,234.56 £12.34 £1,222.22", text, StringComparison.Ordinal);
        Assert.DoesNotContain(LongName, text, StringComparison.Ordinal);
        Assert.Contains("The Amalgamated Society", text, StringComparison.Ordinal);
        Assert.Contains("…", text, StringComparison.Ordinal);
        Assert.Equal(count, read.SelectMany(p => p).Count(l => l.Contains("Card (online)", StringComparison.Ordinal)));
        var gross = lines.Sum(l => l.GrossPence);
        var fees = lines.Sum(l => l.FeePence);
        Assert.Contains($"{StatementPdf.Total} {StatementPdf.Amount(gross)} {StatementPdf.Amount(fees)} {StatementPdf.Amount(gross - fees)}", read[^1]);
        Assert.All(read.Skip(1), page => Assert.Contains(page, l => l.StartsWith(StatementPdf.BroughtForward, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_statement_read_with_fewer_lines_than_were_counted_is_refused()
    {
        var facts = Facts(3);
        var lines = new[] { new StatementLine(Guid.NewGuid(), facts.Statement.PeriodStart, "Jo", DonationMethod.Card, 500, 20) };
        using var output = new AppendOnlyStream();
        await Assert.ThrowsAsync<InvalidOperationException>(() => StatementPdf.WriteAsync(output, facts, "Burton TUC", 3, ToAsync(lines), CancellationToken.None));
    }

    private static StatementFacts Facts(int count)
    {
        var end = new DateTimeOffset(2017, 5, 21, 23, 0, 0, TimeSpan.Zero);
        return new StatementFacts(
            new RemittanceStatement { PeriodStart = end.AddDays(-7), PeriodEnd = end, ClosingPence = 123_456_789, DonationCount = count, CreatedAt = end },
            "WM7680",
            "Burton on Trent");
    }

    private static async IAsyncEnumerable<StatementLine> ToAsync(IEnumerable<StatementLine> lines)
    {
        foreach (var line in lines)
        {
            await Task.Yield();
            yield return line;
        }
    }

    /// <summary>Like a response body: written to in order, never sought or read.</summary>
    private sealed class AppendOnlyStream : Stream
    {
        private readonly MemoryStream _written = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public byte[] ToArray() => _written.ToArray();

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _written.Write(buffer, offset, count);

        protected override void Dispose(bool disposing)
        {
            _written.Dispose();
            base.Dispose(disposing);
        }
    }
}
