namespace Solidarity.Web.Pages.Account;

/// <summary>A password chosen and typed twice, with the words each mistake is answered in: resetting one, accepting an invitation, changing one's own.</summary>
internal class NewPasswordInput
{
    [Required(ErrorMessage = "Choose a password.")]
    [DataType(DataType.Password)]
    [StringLength(512, ErrorMessage = TypedText.TooLong)]
    public string Password { get; set; } = "";

    [Required(ErrorMessage = "Type the password again.")]
    [DataType(DataType.Password)]
    [Compare(nameof(Password), ErrorMessage = "The two passwords are not the same.")]
    public string ConfirmPassword { get; set; } = "";
}
