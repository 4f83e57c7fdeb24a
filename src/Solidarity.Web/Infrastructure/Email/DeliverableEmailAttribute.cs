using System.Text.RegularExpressions;
using MimeKit;

namespace Solidarity.Web.Infrastructure.Email;

/// <summary>
/// An email address the site can send a receipt to, checked when it is typed: exactly one mailbox that MimeKit (which
/// sends the mail) parses back to the same text, with no display name, quoting, comment or route, and a domain with a
/// dot in it. <see cref="EmailAddressAttribute"/> accepts anything with one '@' not at either end, so "jo@example" or
/// "a b@example.org" would reach Stripe and fail only days later, in the receipt job. Empty passes: [Required] says so.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
internal sealed partial class DeliverableEmailAttribute : ValidationAttribute
{
    public const int MaxLength = 254;

    public static bool IsDeliverable(string? value)
    {
        var email = value?.Trim();
        return !string.IsNullOrEmpty(email)
            && email.Length <= MaxLength
            && Shape().IsMatch(email)
            && MailboxAddress.TryParse(ParserOptions.Default, email, out var mailbox)
            && string.IsNullOrEmpty(mailbox.Name)
            && mailbox.Route.Count == 0
            && string.Equals(mailbox.Address, email, StringComparison.Ordinal);
    }

    public override bool IsValid(object? value) => value is not string text || string.IsNullOrWhiteSpace(text) || IsDeliverable(text);

    /// <summary>A local part and a dotted domain of printable characters, none of them a space, a quote, a bracket or a second '@'.</summary>
    [GeneratedRegex("""^[^@\s"(),:;<>\[\]\\]+@[^@\s"(),:;<>\[\]\\.]+(\.[^@\s"(),:;<>\[\]\\.]+)+$""", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
