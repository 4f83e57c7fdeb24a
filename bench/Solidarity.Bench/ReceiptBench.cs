using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using Solidarity.Core.Donations;
using Solidarity.Web.Infrastructure.Pdf;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Bench;

/// <summary>
/// Renders receipts one after another on one thread: the cost of the PDF step of IssueReceiptJob, without the
/// database. Beside it, the anchor: PDFsharp drawing the same lines on one page with the same faces, with no
/// layout, shaping, bidi or fallback, saved to memory. Rounds of both are taken in turn so a busy neighbour slows
/// both alike. Pin it to one core (taskset -c 0) for a per-core figure.
/// </summary>
internal static class ReceiptBench
{
    private const double Goal = 0.5;
    private static readonly DateTimeOffset PaidAt = new(2017, 5, 26, 13, 30, 0, TimeSpan.Zero);

    public static int Run(int count)
    {
        var fonts = PdfFonts.Current;
        var document = new ReceiptDocument(Options.Create(new ReceiptSettings
        {
            OrganisationName = "Burton Trades Union Council",
            OrganisationAddress = "c/o Trades Council, 1 Example Street, Burton upon Trent DE14 0AA",
        }), fonts);
        GlobalFontSettings.FontResolver = new AnchorFontResolver(fonts.Regular[0].Path, fonts.Bold[0].Path);

        for (var i = 0; i < 20; i++)
        {
            document.RenderReceipt($"SOL-2017-{i:D6}", PaidAt, Facts(i));
            Anchor(i);
        }

        long receiptBytes = 0, anchorBytes = 0;
        var receiptTime = TimeSpan.Zero;
        var anchorTime = TimeSpan.Zero;
        const int Rounds = 5;
        for (var round = 0; round < Rounds; round++)
        {
            var share = count / Rounds + (round < count % Rounds ? 1 : 0);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < share; i++)
            {
                receiptBytes += document.RenderReceipt($"SOL-2017-{i:D6}", PaidAt, Facts(i)).Length;
            }

            receiptTime += clock.Elapsed;
            clock.Restart();
            for (var i = 0; i < share; i++)
            {
                anchorBytes += Anchor(i).Length;
            }

            anchorTime += clock.Elapsed;
        }

        var receiptRate = count / receiptTime.TotalSeconds;
        var anchorRate = count / anchorTime.TotalSeconds;
        var ratio = receiptRate / anchorRate;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} receipts in {receiptTime.TotalSeconds:F2} s: {receiptRate:F0} per second on one thread; {receiptBytes / count} bytes each"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"anchor: {count} bare PDFsharp one-page renders in {anchorTime.TotalSeconds:F2} s: {anchorRate:F0} per second; {anchorBytes / count} bytes each"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"receipts/s to anchor/s: {ratio:P0}  [goal: >= {Goal:P0}: {(ratio >= Goal ? "met" : "MISSED")}]"));
        return 0;
    }

    /// <summary>The receipt's lines drawn where they would stand, by PDFsharp alone.</summary>
    private static byte[] Anchor(int i)
    {
        using var pdf = new PdfSharp.Pdf.PdfDocument();
        var page = pdf.AddPage();
        page.Size = PdfSharp.PageSize.A4;
        using (var graphics = XGraphics.FromPdfPage(page))
        {
            var title = new XFont("Sans", 18, XFontStyleEx.Bold);
            var bold = new XFont("Sans", 10, XFontStyleEx.Bold);
            var body = new XFont("Sans", 10, XFontStyleEx.Regular);
            graphics.DrawString("Burton Trades Union Council", title, XBrushes.Black, 56, 74);
            graphics.DrawString("c/o Trades Council, 1 Example Street, Burton upon Trent DE14 0AA", body, XBrushes.Black, 56, 96);
            graphics.DrawLine(XPens.Gray, 56, 104, 539, 104);
            var y = 130.0;
            foreach (var (label, value) in new[]
            {
                ("Receipt", $"SOL-2017-{i:D6}"), ("Number", $"SOL-2017-{i:D6}"), ("Date", "26 May 2017"), ("Received from", $"Supporter number {i}"),
                ("Gift", "£25.00"), ("Covering the card fee", "£0.58"), ("Total charged", "£25.58"), ("Payment method", "Card (online)"),
                ("For the dispute", "Argos warehouse strike"), ("Beneficiary branches", "Burton on Trent branch (WM7680): £15.35"), ("", "Castleford branch (YH0001): £10.23"),
            })
            {
                graphics.DrawString(label, bold, XBrushes.Black, 56, y);
                graphics.DrawString(value, body, XBrushes.Black, 206, y);
                y += 15.5;
            }

            graphics.DrawLine(XPens.Gray, 56, y, 539, y);
            graphics.DrawString("Thank you. Your gift goes to the workers on strike through their union branch.", body, XBrushes.Black, 56, y + 20);
            graphics.DrawString(ReceiptDocument.NoGiftAid, body, XBrushes.Black, 56, y + 36);
        }

        using var stream = new MemoryStream();
        pdf.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    private static ReceiptFacts Facts(int i) => new(
        Guid.NewGuid(), DonationStatus.Paid, "jo@example.org", $"Supporter number {i}", null, PaidAt, PaidAt, 2_500, 58, "GBP",
        DonationMethod.Card, null, "Argos warehouse strike",
        [new BranchShare("Burton on Trent branch (WM7680)", 1_535), new BranchShare("Castleford branch (YH0001)", 1_023)]);

    /// <summary>PDFsharp's fonts for the anchor: the primary face the receipts use, regular and bold.</summary>
    private sealed class AnchorFontResolver(string regular, string bold) : IFontResolver
    {
        private readonly byte[] _regular = File.ReadAllBytes(regular);
        private readonly byte[] _bold = File.ReadAllBytes(bold);

        public FontResolverInfo ResolveTypeface(string familyName, bool isBold, bool isItalic) => new(isBold ? "bold" : "regular");

        public byte[] GetFont(string faceName) => faceName == "bold" ? _bold : _regular;
    }
}
