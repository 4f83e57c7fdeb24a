using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Solidarity.Core.Donations;
using Solidarity.Web.Infrastructure.Pdf;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Bench;

/// <summary>
/// Renders receipts one after another on one thread: the cost of the PDF step of IssueReceiptJob, without the
/// database. Pin it to one core (taskset -c 0) for a per-core figure.
/// </summary>
internal static class ReceiptBench
{
    private static readonly DateTimeOffset PaidAt = new(2017, 5, 26, 13, 30, 0, TimeSpan.Zero);

    public static int Run(int count)
    {
        SystemFontResolver.Install(SystemFontResolver.DefaultDirectories);
        var document = new ReceiptDocument(Options.Create(new ReceiptSettings
        {
            OrganisationName = "Burton Trades Union Council",
            OrganisationAddress = "c/o Trades Council, 1 Example Street, Burton upon Trent DE14 0AA",
        }));

        for (var i = 0; i < 20; i++)
        {
            document.RenderReceipt($"SOL-2017-{i:D6}", PaidAt, Facts(i));
        }

        long bytes = 0;
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            bytes += document.RenderReceipt($"SOL-2017-{i:D6}", PaidAt, Facts(i)).Length;
        }

        stopwatch.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} receipts in {stopwatch.Elapsed.TotalSeconds:F2} s: {count / stopwatch.Elapsed.TotalSeconds:F0} per second on one thread; {bytes / count} bytes each"));
        return 0;
    }

    private static ReceiptFacts Facts(int i) => new(
        Guid.NewGuid(), DonationStatus.Paid, "jo@example.org", $"Supporter number {i}", null, PaidAt, PaidAt, 2_500, 58, "GBP",
        DonationMethod.Card, null, "Argos warehouse strike",
        [new BranchShare("Burton on Trent branch (WM7680)", 1_535), new BranchShare("Castleford branch (YH0001)", 1_023)]);
}
