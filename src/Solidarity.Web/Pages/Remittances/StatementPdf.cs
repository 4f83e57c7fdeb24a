using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;
using Solidarity.Core.Remittances;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Infrastructure.Pdf;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Web.Pages.Remittances;

/// <summary>A statement with the branch it is for, as the files show it.</summary>
internal sealed record StatementFacts(RemittanceStatement Statement, string BranchCode, string BranchName)
{
    /// <summary>"WM7680 1 May 2017 to 7 May 2017": periods end at midnight, so the last day shown is the day before.</summary>
    public string PeriodText =>
        $"{LondonClock.ToLondon(Statement.PeriodStart).ToString("d MMMM yyyy", LondonClock.Uk)} to " +
        $"{LondonClock.ToLondon(Statement.PeriodEnd.AddTicks(-1)).ToString("d MMMM yyyy", LondonClock.Uk)}";

    public string FileName(string extension) =>
        $"statement-{BranchCode}-{LondonClock.ToLondon(Statement.PeriodEnd.AddTicks(-1)):yyyy-MM-dd}.{extension}";

    /// <summary>The summary as label and amount, in the order the statement lists them.</summary>
    public IReadOnlyList<(string Label, long Pence)> Summary =>
    [
        ("Opening balance", Statement.OpeningPence),
        ("Card donations (gross)", Statement.CardDonationsPence),
        ("Processing fees", Statement.FeesPence),
        ("Refunds", Statement.RefundsPence),
        ("Chargebacks", Statement.ChargebacksPence),
        ("Chargebacks reversed", Statement.ChargebackReversalsPence),
        ("Offline money", Statement.OfflinePence),
        ("Remittances paid", Statement.RemittancesPence),
        ("Closing balance owed to the branch", Statement.ClosingPence),
    ];
}

/// <summary>
/// A statement as a PDF: the summary, then every donation in a table that runs over as many pages as it
/// needs, each page carrying its running totals forward to the next, and "Page x of y" written on every page
/// once the number of pages is known. Lines are drawn as they are read and each finished page is compressed,
/// so the document holds drawn pages, never the list of donations.
/// </summary>
internal sealed class StatementPdf : IDisposable
{
    public const string ContentType = "application/pdf";
    public const string CarriedForward = "Carried forward";
    public const string BroughtForward = "Brought forward";
    public const string Total = "Total";

    private const double Margin = 40;
    private const double FooterHeight = 28;
    private const double RowHeight = 13;

    private static readonly XFont TitleFont = new(SystemFontResolver.DefaultFamily, 16, XFontStyleEx.Bold);
    private static readonly XFont HeadingFont = new(SystemFontResolver.DefaultFamily, 10.5, XFontStyleEx.Bold);
    private static readonly XFont BodyFont = new(SystemFontResolver.DefaultFamily, 9, XFontStyleEx.Regular);
    private static readonly XFont CellFont = new(SystemFontResolver.DefaultFamily, 8, XFontStyleEx.Regular);
    private static readonly XFont CellBoldFont = new(SystemFontResolver.DefaultFamily, 8, XFontStyleEx.Bold);

    /// <summary>Date, from, method, gross, fee, net: left edge and width, in points from the margin.</summary>
    private static readonly (double X, double Width, bool Right)[] Columns =
    [
        (0, 62, false), (64, 196, false), (262, 72, false), (336, 58, true), (396, 55, true), (453, 62, true),
    ];

    private readonly PdfDocument _document = new();
    private readonly StatementFacts _facts;
    private readonly string _organisation;
    private XGraphics? _graphics;
    private PdfPage? _page;
    private double _y;
    private long _gross;
    private long _fee;

    private StatementPdf(StatementFacts facts, string organisation)
    {
        _facts = facts;
        _organisation = organisation;
        _document.Info.Title = $"Remittance statement {facts.BranchCode} {facts.PeriodText}";
        _document.Info.Author = organisation;
        _document.Info.Creator = organisation;
        _document.Info.CreationDate = facts.Statement.CreatedAt.UtcDateTime;
        _document.Info.ModificationDate = facts.Statement.CreatedAt.UtcDateTime;
        _document.Options.CompressContentStreams = true;
    }

    public int PageCount => _document.PageCount;

    /// <summary>Renders the statement and saves it to <paramref name="output"/>, which PDFsharp needs to be seekable.</summary>
    public static async Task<int> WriteAsync(
        Stream output, StatementFacts facts, string organisation, IAsyncEnumerable<StatementLine> lines, CancellationToken cancellationToken)
    {
        using var pdf = new StatementPdf(facts, organisation);
        await pdf.RenderAsync(lines, cancellationToken);
        var pages = pdf.PageCount;
        pdf._document.Save(output, closeStream: false);
        return pages;
    }

    public void Dispose()
    {
        _graphics?.Dispose();
        _document.Dispose();
    }

    private async Task RenderAsync(IAsyncEnumerable<StatementLine> lines, CancellationToken cancellationToken)
    {
        NewPage();
        Summary();
        var any = false;
        await foreach (var line in lines.WithCancellation(cancellationToken))
        {
            if (!any)
            {
                ColumnHeadings();
                any = true;
            }

            if (_y + 2 * RowHeight > Bottom)
            {
                TotalsRow(CarriedForward);
                NewPage();
                ColumnHeadings();
                TotalsRow(BroughtForward);
            }

            Cells(
                [
                    LondonClock.ToLondon(line.Date).ToString("dd/MM/yyyy", LondonClock.Uk), line.From, ReceiptDocument.MethodText(line.Method),
                    Amount(line.GrossPence), Amount(line.FeePence), Amount(line.NetPence),
                ],
                CellFont);
            _gross += line.GrossPence;
            _fee += line.FeePence;
        }

        if (any)
        {
            if (_y + RowHeight > Bottom)
            {
                TotalsRow(CarriedForward);
                NewPage();
                ColumnHeadings();
                TotalsRow(BroughtForward);
            }

            TotalsRow(Total);
        }
        else
        {
            Text("No donations were recorded for the branch in this period.", BodyFont);
        }

        FinishPage();
        NumberPages();
    }

    private double Width => _page!.Width.Point - 2 * Margin;

    private double Bottom => _page!.Height.Point - Margin - FooterHeight;

    private void NewPage()
    {
        FinishPage();
        _page = _document.AddPage();
        _page.Size = PdfSharp.PageSize.A4;
        _graphics = XGraphics.FromPdfPage(_page);
        _y = Margin;
    }

    /// <summary>Writes the page's drawing into its content stream and compresses it now rather than at save.</summary>
    private void FinishPage()
    {
        if (_graphics is null)
        {
            return;
        }

        _graphics.Dispose();
        _graphics = null;
        foreach (var content in _page!.Contents.OfType<PdfContent>())
        {
            content.Compressed = true;
        }
    }

    private void Summary()
    {
        Text(_organisation, HeadingFont);
        Text("Remittance statement", TitleFont);
        Text($"{_facts.BranchName} ({_facts.BranchCode})", HeadingFont);
        Text($"Period: {_facts.PeriodText}", BodyFont);
        Text($"Statement {_facts.Statement.Id}", BodyFont);
        _y += 6;
        foreach (var (label, pence) in _facts.Summary)
        {
            var font = label.StartsWith("Closing", StringComparison.Ordinal) || label.StartsWith("Opening", StringComparison.Ordinal) ? CellBoldFont : BodyFont;
            _graphics!.DrawString(label, font, XBrushes.Black, new XRect(Margin, _y, 260, RowHeight), XStringFormats.TopLeft);
            _graphics.DrawString(Amount(pence), font, XBrushes.Black, new XRect(Margin + 260, _y, 100, RowHeight), XStringFormats.TopRight);
            _y += RowHeight + 1;
        }

        _y += 8;
        Text($"Donations ({_facts.Statement.DonationCount:N0})", HeadingFont);
        Text("Gross is the branch's part of each gift; the fee is what the card processor kept of it; net is what the branch is owed.", CellFont);
        _y += 4;
    }

    private void ColumnHeadings()
    {
        Cells(["Date", "From", "Method", "Gross", "Fee", "Net"], CellBoldFont);
        _graphics!.DrawLine(XPens.Gray, Margin, _y - 1, Margin + Width, _y - 1);
        _y += 2;
    }

    private void TotalsRow(string label)
    {
        _graphics!.DrawLine(XPens.Gray, Margin, _y, Margin + Width, _y);
        _y += 1;

        // The label spans the date and name columns; the amounts stand under their own.
        _graphics.DrawString(label, CellBoldFont, XBrushes.Black, new XRect(Margin, _y, Columns[2].X, RowHeight), XStringFormats.TopLeft);
        Cells(["", "", "", Amount(_gross), Amount(_fee), Amount(_gross - _fee)], CellBoldFont);
    }

    private void Cells(IReadOnlyList<string> values, XFont font)
    {
        for (var i = 0; i < Columns.Length; i++)
        {
            var (x, width, right) = Columns[i];
            var text = Fit(values[i], font, width);
            _graphics!.DrawString(text, font, XBrushes.Black, new XRect(Margin + x, _y, width, RowHeight), right ? XStringFormats.TopRight : XStringFormats.TopLeft);
        }

        _y += RowHeight;
    }

    private void Text(string text, XFont font)
    {
        _graphics!.DrawString(Fit(text, font, Width), font, XBrushes.Black, new XRect(Margin, _y, Width, font.GetHeight()), XStringFormats.TopLeft);
        _y += font.GetHeight() + 3;
    }

    /// <summary>Cuts text that would overrun its column, ending it with an ellipsis.</summary>
    private string Fit(string text, XFont font, double width)
    {
        if (text.Length == 0 || _graphics!.MeasureString(text, font).Width <= width)
        {
            return text;
        }

        var length = text.Length;
        while (length > 1 && _graphics.MeasureString(text[..length] + "…", font).Width > width)
        {
            length = Math.Max(1, length * 9 / 10);
        }

        return text[..length].TrimEnd() + "…";
    }

    /// <summary>The second pass: now that the document is complete, every page says where it is in it.</summary>
    private void NumberPages()
    {
        var count = _document.PageCount;
        for (var i = 0; i < count; i++)
        {
            var page = _document.Pages[i];
            using (var graphics = XGraphics.FromPdfPage(page, XGraphicsPdfPageOptions.Append))
            {
                var y = page.Height.Point - Margin - FooterHeight + 12;
                graphics.DrawLine(XPens.LightGray, Margin, y - 2, page.Width.Point - Margin, y - 2);
                graphics.DrawString(
                    $"{_facts.BranchCode} · {_facts.PeriodText}", CellFont, XBrushes.Gray,
                    new XRect(Margin, y, 360, RowHeight), XStringFormats.TopLeft);
                graphics.DrawString(
                    $"Page {i + 1} of {count}", CellFont, XBrushes.Black,
                    new XRect(page.Width.Point - Margin - 150, y, 150, RowHeight), XStringFormats.TopRight);
            }

            foreach (var content in page.Contents.OfType<PdfContent>())
            {
                content.Compressed = true;
            }
        }
    }

    public static string Amount(long pence) => new Core.Money.Money(pence, Core.Money.Money.Gbp).Format();
}
