using Microsoft.Extensions.Options;

namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// A donor asks for the statement of a year's giving: the same answer whether or not the address gave, and only a few
/// requests a day per address and per client.
/// </summary>
internal sealed class StatementModel(YearStatements statements, IOptions<ReceiptSettings> settings, TimeProvider time) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    /// <summary>Set once a request was taken: the year it was for.</summary>
    public int? SentFor { get; private set; }

    public int LatestYear { get; private set; }

    /// <summary>How long the emailed link works (<see cref="ReceiptSettings.DownloadLinkLifetime"/>).</summary>
    public TimeSpan LinkLifetime => settings.Value.DownloadLinkLifetime;

    internal sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your email address.")]
        [DeliverableEmail(ErrorMessage = "Enter the email address you gave with, like name@example.org.")]
        [StringLength(DeliverableEmailAttribute.MaxLength, ErrorMessage = "Enter the email address you gave with, like name@example.org.")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter the year, like 2026.")]
        public string? Year { get; set; }
    }

    public static string SentMessage(int year, TimeSpan linkLifetime) =>
        $"If we have gifts from that address in {year}, a statement is on its way to it. The link in the email works for {Lasting(linkLifetime)}.";

    private static string Lasting(TimeSpan lifetime) =>
        lifetime.TotalDays >= 1 && lifetime.TotalDays % 1 == 0 ? $"{lifetime.TotalDays:0} day{(lifetime.TotalDays == 1 ? "" : "s")}"
        : $"{Math.Max(1, (int)Math.Ceiling(lifetime.TotalHours))} hour{(lifetime.TotalHours <= 1 ? "" : "s")}";

    public static string TooManyMessage(DateTimeOffset tryAfter) =>
        "There have been too many requests for statements for this address, or from your connection, today. " +
        $"Nothing was sent. Try again after {LondonClock.ToLondon(tryAfter).ToString("HH:mm 'on' dddd d MMMM", LondonClock.Uk)} (London time).";

    public static string YearMessage(int latest) => $"Enter a year from {YearStatements.FirstYear} to {latest}, as four digits.";

    public void OnGet()
    {
        LatestYear = ThisYear();
        Input.Year = LatestYear.ToString(CultureInfo.InvariantCulture);
    }

    public async Task<IActionResult> OnPostAsync()
    {
        LatestYear = ThisYear();
        var year = ParseYear(Input.Year);
        if (Input.Year is not null && year is null)
        {
            ModelState.AddModelError("Input.Year", YearMessage(LatestYear));
        }

        if (!ModelState.IsValid || year is null)
        {
            return Page();
        }

        if (await statements.RequestAsync(Input.Email.Trim(), year.Value, HttpContext.Connection.RemoteIpAddress, HttpContext.RequestAborted) is { } wait)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

            // Rounded up to the minute, so "after 14:05" is never early.
            var after = time.GetUtcNow() + wait;
            var intoMinute = after.UtcTicks % TimeSpan.TicksPerMinute;
            ModelState.AddModelError("", TooManyMessage(intoMinute == 0 ? after : after.AddTicks(TimeSpan.TicksPerMinute - intoMinute)));
            return Page();
        }

        SentFor = year;
        return Page();
    }

    private int? ParseYear(string? text) =>
        text?.Trim() is { Length: 4 } digits && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            && year >= YearStatements.FirstYear && year <= LatestYear
            ? year
            : null;

    private int ThisYear() => LondonClock.ToLondon(time.GetUtcNow()).Year;
}
