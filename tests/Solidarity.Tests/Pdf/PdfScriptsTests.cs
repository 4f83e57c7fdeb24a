using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Solidarity.Core.Donations;
using Solidarity.Core.Receipts;
using Solidarity.Core.Remittances;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Pdf;
using Solidarity.Web.Pages.Receipts;
using Solidarity.Web.Pages.Remittances;

namespace Solidarity.Tests.Pdf;

/// <summary>Every document prints names in every script the site's fonts cover, and gives them back when copied.</summary>
public sealed class PdfScriptsTests
{
    private static readonly string[] AllNames =
    [
        "Łukasz Żółć-Nowak", "Gwŷn ap Rhys", "Σοφία Παπαδοπούλου", "Дмитрий Иванов", "محمد عبد الله", "דוד כהן", "अनीता शर्मा",
        "সুমন দাস", "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", "ભાવના પટેલ", "கவிதா ராஜன்", "නිමල් පෙරේරා", "สมชาย ใจดี", "ሰላም ተስፋዬ",
        "王芳", "山田太郎", "김민준",
    ];

    public static readonly TheoryData<string> Names = new(AllNames);

    private static readonly DateTimeOffset PaidAt = new(2017, 5, 26, 13, 30, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(Names))]
    public void A_receipt_gives_back_the_donors_name_as_it_was_given(string name)
    {
        var pdf = Document().RenderReceipt("SOL-2017-000001", PaidAt, Facts(name));

        Assert.Contains(Nfc(name), PdfTextReader.AllPieces(pdf));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_credit_note_gives_back_the_donors_name_as_it_was_given(string name)
    {
        var credit = new CreditNoteFacts("refund:re_1", new CreditOwed(CreditNoteCause.Refund, 2_500, PaidAt.AddDays(2)), "SOL-2017-000001", PaidAt);

        var pdf = Document().RenderCreditNote("SOL-CN-2017-000001", PaidAt.AddDays(2), Facts(name), credit);

        Assert.Contains(Nfc(name), PdfTextReader.AllPieces(pdf));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_statement_of_a_years_giving_gives_back_the_donors_and_the_organisations_name_as_they_were_given(string name)
    {
        var document = new YearStatementDocument(
            Options.Create(new ReceiptSettings { OrganisationName = "Burton Trades Union Council", OrganisationAddress = "1 Example Street" }));
        var giving = new YearGiving(
            2017, name, [$"{name} Solidarity Group"],
            [new YearGift(PaidAt, 2_500, "GBP", "SOL-2017-000001", "Argos warehouse strike")],
            [new YearCredit(PaidAt.AddDays(2), 1_000, "GBP", "SOL-CN-2017-000001", "SOL-2017-000001")],
            []);

        var pieces = PdfTextReader.AllPieces(document.Render(giving, PaidAt.AddDays(3)));

        Assert.Contains(Nfc(name), pieces);
        Assert.Contains(Nfc($"{name} Solidarity Group"), pieces);
    }

    [Fact]
    public async Task A_statement_gives_back_every_donors_name_in_its_column()
    {
        var names = AllNames.ToList();
        var end = new DateTimeOffset(2017, 5, 21, 23, 0, 0, TimeSpan.Zero);
        var facts = new StatementFacts(
            new RemittanceStatement { PeriodStart = end.AddDays(-7), PeriodEnd = end, ClosingPence = 100_000, DonationCount = names.Count, CreatedAt = end },
            "WM7680", "Burton on Trent");
        var lines = names.Select((n, i) => new StatementLine(Guid.NewGuid(), end.AddDays(-1).AddMinutes(i), n, DonationMethod.Card, 1_000, 35)).ToList();

        using var output = new MemoryStream();
        await StatementPdf.WriteAsync(output, facts, "Burton TUC", names.Count, ToAsync(lines), CancellationToken.None);

        var pieces = PdfTextReader.AllPieces(output.ToArray());
        Assert.All(names, name => Assert.Contains(Nfc(name), pieces));
    }

    [Fact]
    public async Task A_booklet_gives_back_every_message_and_its_signature()
    {
        var names = AllNames.ToList();
        var messages = names.Select((n, i) => new BranchMessage(Guid.NewGuid(), "Argos warehouse strike", n, n, null, null, PaidAt.AddMinutes(-i))).ToList();

        var pdf = await MessageBooklet.RenderAsync(ToAsync(messages), "Burton on Trent (WM7680)", "Burton TUC", PaidAt, CancellationToken.None);

        var pieces = PdfTextReader.AllPieces(pdf);
        Assert.All(names, name => Assert.Contains(Nfc(name), pieces));
        Assert.All(names, name => Assert.Contains($"— {Nfc(name)} · Argos warehouse strike · 26 May 2017", pieces));
    }

    [Fact]
    public void Right_to_left_text_inside_a_left_to_right_sentence_is_given_back_in_logical_order()
    {
        var text = "To محمد عبد الله and דוד כהן, 3 gifts";

        var pdf = Document().RenderReceipt("SOL-2017-000001", PaidAt, Facts(text));

        Assert.Contains(text, PdfTextReader.AllPieces(pdf));
    }

    [Fact]
    public void A_surrogate_without_its_pair_prints_as_a_replacement_character()
    {
        var pdf = Document().RenderReceipt("SOL-2017-000001", PaidAt, Facts("Jo\uD800 Bloggs"));

        Assert.Contains("Jo\uFFFD Bloggs", PdfTextReader.AllPieces(pdf));
    }

    [Fact]
    public void A_typical_receipt_stays_under_30_KB()
    {
        var pdf = Document().RenderReceipt("SOL-2017-000001", PaidAt, Facts("Jo Bloggs"));

        Assert.True(pdf.Length < 30 * 1024, $"The receipt is {pdf.Length:N0} bytes.");
    }

    /// <summary>
    /// A name in every script the faces cover, seventeen faces in one receipt, still embeds only the glyphs it uses (about
    /// 2 KB a face): the faces themselves are megabytes.
    /// </summary>
    [Fact]
    public void A_receipt_in_every_script_stays_under_48_KB()
    {
        var facts = Facts(string.Join(" ", AllNames)) with { GivenBy = "Ἀθηνᾶ Ωμέγα 東京都 서울특별시 नई दिल्ली تونس ירושלים" };

        var pdf = Document().RenderReceipt("SOL-2017-000001", PaidAt, facts);

        Assert.True(pdf.Length < 48 * 1024, $"The receipt is {pdf.Length:N0} bytes.");
        Assert.Contains(Nfc(facts.GivenBy!), PdfTextReader.AllPieces(pdf));
    }

    [Fact]
    public void A_character_no_font_has_prints_a_placeholder_and_is_named_in_the_log()
    {
        using var logs = new CapturedLogs();
        using var fonts = PdfFonts.Find(PdfFonts.DefaultDirectories, logs.CreateLogger("Pdf"));
        const string Name = "Jo \uE000 Bloggs \U0001FAE8";

        var pdf = Document(fonts).RenderReceipt("SOL-2017-000001", PaidAt, Facts(Name));

        Assert.Contains(Name, PdfTextReader.AllPieces(pdf));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("U+E000", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("U+1FAE8", StringComparison.Ordinal));
    }

    [Fact]
    public void The_fonts_found_print_every_script_the_documents_expect()
    {
        var (printable, missing) = PdfFonts.Current.Coverage();

        Assert.Empty(missing);
        Assert.Equal(PdfFonts.Scripts.Length, printable.Count);
    }

    [Fact]
    public void Missing_fonts_stop_start_up_with_the_packages_to_install()
    {
        var empty = Directory.CreateTempSubdirectory("no-fonts");
        try
        {
            var error = Assert.Throws<MissingFontsException>(() => PdfFonts.Find([empty.FullName], Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
            Assert.Contains("fonts-noto-core", error.Message, StringComparison.Ordinal);
            Assert.Contains("fonts-droid-fallback", error.Message, StringComparison.Ordinal);
            Assert.Contains("fonts-nanum", error.Message, StringComparison.Ordinal);
            Assert.Contains("Pdf:FontDirectories", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    private static string Nfc(string text) => text.Normalize(NormalizationForm.FormC);

    private static ReceiptDocument Document(PdfFonts? fonts = null) => new(
        Options.Create(new ReceiptSettings { OrganisationName = "Burton Trades Union Council", OrganisationAddress = "1 Example Street, Burton upon Trent DE14 0AA" }),
        fonts);

    private static ReceiptFacts Facts(string name) => new(
        Guid.NewGuid(), DonationStatus.Paid, "jo@example.org", name, null, PaidAt, null, 2_500, 0, "GBP", DonationMethod.Card, null,
        "Argos warehouse strike", [new BranchShare("Burton on Trent branch (WM7680)", 2_500)]);

    private static async IAsyncEnumerable<T> ToAsync<T>(IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }
}
