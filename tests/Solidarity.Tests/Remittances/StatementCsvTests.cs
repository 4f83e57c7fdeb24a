using System.Text;
using Solidarity.Core.Donations;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Remittances;

namespace Solidarity.Tests.Remittances;

/// <summary>The statement CSV's bytes, written without a database: every rule of the format, at the edges.</summary>
public sealed class StatementCsvTests
{
    private static readonly DateTimeOffset May = new(2017, 5, 16, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Csv_is_utf8_with_a_byte_order_mark_and_crlf_rows_starting_with_the_header()
    {
        var bytes = await CsvAsync();

        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        Assert.Equal("Date,From,Method,Gross (GBP),Fee (GBP),Net (GBP)\r\n", Encoding.UTF8.GetString(bytes[3..]));
    }

    [Theory]
    [InlineData(0, 0, "0.00,0.00,0.00")]
    [InlineData(5, 0, "0.05,0.00,0.05")]
    [InlineData(2_500, 58, "25.00,0.58,24.42")]
    [InlineData(123_456_789, 1_000, "1234567.89,10.00,1234557.89")]
    [InlineData(-4_000, 20, "-40.00,0.20,-40.20")]
    [InlineData(0, -5, "0.00,-0.05,0.05")]
    public async Task Amounts_are_plain_pounds_with_two_decimals_whatever_their_sign(long gross, long fee, string written)
    {
        var row = Rows(await CsvAsync(Line(May, "Jo", gross, fee)))[1];

        Assert.Equal($"2017-05-16,Jo,Card (online),{written}", row);
    }

    [Fact]
    public async Task Amounts_match_the_pounds_shown_everywhere_else_to_the_extremes_of_a_long()
    {
        long[] pence = [long.MaxValue, long.MinValue + 1, 99, -99, 100, -100, 1_000_001];

        var rows = Rows(await CsvAsync([.. pence.Select(p => Line(May, "Jo", p, 0))]));

        Assert.Equal(pence.Select(p => $"2017-05-16,Jo,Card (online),{StatementCsv.Pounds(p)},0.00,{StatementCsv.Pounds(p)}"), rows[1..]);
    }

    [Theory]
    [InlineData("Jo Bloggs", "Jo Bloggs")]
    [InlineData("Smith, \"Sam\"", "\"Smith, \"\"Sam\"\"\"")]
    [InlineData("=HYPERLINK(\"http://evil.example\")", "\"'=HYPERLINK(\"\"http://evil.example\"\")\"")]
    [InlineData("+44 20", "'+44 20")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tTabbed", "'\tTabbed")]
    [InlineData("\r=1+1", "\"'\r=1+1\"")]
    [InlineData("Two\nlines", "\"Two\nlines\"")]
    [InlineData("Zoë, £5 ✊ 🌹", "\"Zoë, £5 ✊ 🌹\"")]
    [InlineData("Jo = friend", "Jo = friend")]
    public async Task Names_are_guarded_against_formulas_then_quoted_as_rfc_4180_says(string from, string written)
    {
        var csv = Encoding.UTF8.GetString(await CsvAsync(Line(May, from, 100, 0)));

        Assert.EndsWith($"\r\n2017-05-16,{written},Card (online),1.00,0.00,1.00\r\n", csv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DonationMethod.Card, "Card (online)")]
    [InlineData(DonationMethod.Cheque, "Cheque")]
    [InlineData(DonationMethod.BankTransfer, "Bank transfer")]
    [InlineData(DonationMethod.Collection, "Collection")]
    public async Task Methods_are_written_as_receipts_name_them(DonationMethod method, string written)
    {
        var row = Rows(await CsvAsync(Line(May, "Jo", 100, 0) with { Method = method }))[1];

        Assert.Equal($"2017-05-16,Jo,{written},1.00,0.00,1.00", row);
    }

    /// <summary>Midnight in London is 23:00 UTC in summer: a donation late on a summer evening is the next day's.</summary>
    [Theory]
    [InlineData("2017-03-25T23:30:00Z", "2017-03-25")]
    [InlineData("2017-03-26T00:30:00Z", "2017-03-26")]
    [InlineData("2017-03-26T22:59:59Z", "2017-03-26")]
    [InlineData("2017-03-26T23:00:00Z", "2017-03-27")]
    [InlineData("2017-05-20T23:30:00Z", "2017-05-21")]
    [InlineData("2017-10-28T23:30:00Z", "2017-10-29")]
    [InlineData("2017-10-29T23:30:00Z", "2017-10-29")]
    [InlineData("2017-10-30T00:00:00Z", "2017-10-30")]
    public async Task Dates_are_the_day_in_London_on_either_side_of_the_clock_changes(string instant, string day)
    {
        var row = Rows(await CsvAsync(Line(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture), "Jo", 100, 0)))[1];

        Assert.StartsWith(day + ",", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dates_stay_right_when_rows_go_back_in_time()
    {
        var days = new[] { May, May.AddDays(3), May.AddDays(-2), May.AddHours(-12.5), May };

        var rows = Rows(await CsvAsync([.. days.Select(d => Line(d, "Jo", 100, 0))]));

        Assert.Equal(days.Select(d => LondonClock.ToLondon(d).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), rows[1..].Select(r => r[..10]));
    }

    /// <summary>The file is handed on in blocks: rows, and a name far longer than a block, cross their edges intact.</summary>
    [Fact]
    public async Task A_long_statement_is_written_whole_across_the_blocks_it_is_sent_in()
    {
        var giant = string.Concat(Enumerable.Repeat("Solidarity forever, \"for the union makes us strong\" ✊ ", 4_000));
        var lines = Enumerable.Range(0, 20_000)
            .Select(i => Line(May.AddSeconds(20 * i), i == 7_777 ? giant : $"Supporter {i}, Branch \"{i % 7}\"", 500 + i, 20 + i % 50))
            .ToArray();

        var rows = Rows(await CsvAsync(lines));

        Assert.Equal(lines.Length + 1, rows.Length);
        Assert.Equal($"\"{giant.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", rows[7_778].Split(",Card (online),")[0][11..]);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var from = i == 7_777 ? rows[i + 1].Split(",Card (online),")[0][11..] : $"\"Supporter {i}, Branch \"\"{i % 7}\"\"\"";
            Assert.Equal(
                $"{LondonClock.ToLondon(line.Date):yyyy-MM-dd},{from},Card (online),{StatementCsv.Pounds(line.GrossPence)},{StatementCsv.Pounds(line.FeePence)},{StatementCsv.Pounds(line.NetPence)}",
                rows[i + 1]);
        }
    }

    private static StatementLine Line(DateTimeOffset date, string from, long gross, long fee) =>
        new(Guid.NewGuid(), date, from, DonationMethod.Card, gross, fee);

    private static async Task<byte[]> CsvAsync(params StatementLine[] lines)
    {
        using var output = new MemoryStream();
        await StatementCsv.WriteAsync(output, lines.ToAsyncEnumerable(), CancellationToken.None);
        return output.ToArray();
    }

    /// <summary>The rows, split at the CRLF that ends each one (the names here hold no CRLF of their own).</summary>
    private static string[] Rows(byte[] csv)
    {
        var text = Encoding.UTF8.GetString(csv.AsSpan(3));
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        return text[..^2].Split("\r\n");
    }
}
