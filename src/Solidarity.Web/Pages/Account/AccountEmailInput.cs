namespace Solidarity.Web.Pages.Account;

/// <summary>
/// The address an account signs in with, typed to find the account, with the words each mistake is answered in:
/// signing in, asking for a new password.
/// </summary>
internal class AccountEmailInput
{
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter an email address like name@example.org.")]
    [StringLength(256, ErrorMessage = TypedText.TooLong)]
    public string Email { get; set; } = "";
}
