namespace Solidarity.Web.Pages.Account;

/// <summary>
/// One's own passkeys: the list, adding one (the browser asks the device to make it, from options this page gives),
/// and removing one. Each addition and removal is in the audit log, in the same unit of work as the change.
/// </summary>
[Authorize]
internal sealed class ManagePasskeysModel(
    UserManager<ApplicationUser> userManager,
    SignInManager<ApplicationUser> signInManager,
    SolidarityDbContext db,
    AuditTrail audit,
    TimeProvider time) : PageModel
{
    public const string AddedNotice = "Your passkey has been added. You can sign in with it from now on.";
    public const string RemovedNotice = "The passkey has been removed. It no longer signs you in.";
    public const string NotMadeMessage =
        "No passkey was made: your browser or device did not finish. Try again, or use another device.";
    public const string RefusedMessage =
        "This passkey could not be added: the device's answer did not match what this page asked for. Reload the page and try again.";

    public const string LastSecondFactorMessage =
        "This is your only second factor, and admins and moderators must keep one: set up an authenticator app or add another passkey first.";

    internal sealed record PasskeyRow(string Id, string Name, DateTimeOffset CreatedAt);

    public IReadOnlyList<PasskeyRow> Keys { get; private set; } = [];

    public string Home { get; private set; } = "/";

    [BindProperty]
    [StringLength(100, ErrorMessage = "Give the passkey a name of at most 100 characters.")]
    public string? Name { get; set; }

    [BindProperty]
    public string? CredentialJson { get; set; }

    [TempData]
    public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await userManager.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        await LoadAsync(user);
        return Page();
    }

    /// <summary>
    /// The options the browser gives navigator.credentials.create(); the challenge is kept in a short-lived cookie. The
    /// name is checked first, as the invitation checks the password, so that a name the site would refuse never leaves a
    /// passkey on the device that the account does not have: the page then posts the form as it is, and says what to change.
    /// </summary>
    public async Task<IActionResult> OnPostCreationOptionsAsync()
    {
        if (await userManager.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        if (!ModelState.IsValid)
        {
            return StatusCode(StatusCodes.Status422UnprocessableEntity);
        }

        var entity = new PasskeyUserEntity
        {
            Id = user.Id.ToString(),
            Name = user.Email ?? user.Id.ToString(),
            DisplayName = user.DisplayName ?? user.Email ?? user.Id.ToString(),
        };
        return Content(await signInManager.MakePasskeyCreationOptionsAsync(entity), "application/json");
    }

    public async Task<IActionResult> OnPostAddAsync()
    {
        if (await userManager.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        if (!ModelState.IsValid)
        {
            await LoadAsync(user);
            return Page();
        }

        if (string.IsNullOrWhiteSpace(CredentialJson) || CredentialJson.Length > 64_000)
        {
            return await RefuseAsync(user, NotMadeMessage);
        }

        PasskeyAttestationResult result;
        try
        {
            result = await signInManager.PerformPasskeyAttestationAsync(CredentialJson);
        }
        catch (InvalidOperationException)
        {
            // No options were asked for in this browser, or they were used already.
            return await RefuseAsync(user, RefusedMessage);
        }

        if (!result.Succeeded || result.UserEntity.Id != user.Id.ToString())
        {
            return await RefuseAsync(user, RefusedMessage);
        }

        var passkey = result.Passkey;
        passkey.Name = string.IsNullOrWhiteSpace(Name) ? $"Passkey added {time.GetUtcNow():d MMMM yyyy}" : Name.Trim();
        return await ChangeAsync(
            user, () => userManager.AddOrUpdatePasskeyAsync(user, passkey), RefusedMessage, AuditActions.PasskeyAdded, passkey.Name, AddedNotice);
    }

    public async Task<IActionResult> OnPostRemoveAsync(string? id)
    {
        if (await userManager.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        var credentialId = Passkeys.DecodeId(id);
        var passkey = credentialId is null ? null : await userManager.GetPasskeyAsync(user, credentialId);
        if (passkey is null)
        {
            return NotFound();
        }

        if (!await userManager.GetTwoFactorEnabledAsync(user) && (await userManager.GetPasskeysAsync(user)).Count == 1
            && await AccountStates.NeedsSecondFactorAsync(userManager, user))
        {
            // Without it the next sign-in would be refused, and only a new invitation would let them in again.
            return await RefuseAsync(user, LastSecondFactorMessage);
        }

        return await ChangeAsync(
            user, () => userManager.RemovePasskeyAsync(user, passkey.CredentialId), "The passkey could not be removed. Reload the page and try again.",
            AuditActions.PasskeyRemoved, passkey.Name, RemovedNotice);
    }

    /// <summary>
    /// Adds or removes a passkey with its audit entry in one transaction, then keeps this session (and its second factor)
    /// should the change have given the account a new security stamp.
    /// </summary>
    private async Task<IActionResult> ChangeAsync(
        ApplicationUser user, Func<Task<IdentityResult>> change, string refusal, string action, string? passkeyName, string notice)
    {
        var cancellationToken = HttpContext.RequestAborted;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (!(await change()).Succeeded)
            {
                return await RefuseAsync(user, refusal);
            }

            audit.Record(User, action, "User", user.Id.ToString(), new { user.Email, Name = passkeyName });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await signInManager.RefreshSignInAsync(user);
        Notice = notice;
        return RedirectToPage();
    }

    private async Task<PageResult> RefuseAsync(ApplicationUser user, string message)
    {
        ModelState.AddModelError("", message);
        await LoadAsync(user);
        return Page();
    }

    private async Task LoadAsync(ApplicationUser user)
    {
        Home = await AccountFlow.HomeAsync(userManager, user);
        var passkeys = await userManager.GetPasskeysAsync(user);
        Keys = passkeys
            .OrderBy(p => p.CreatedAt)
            .Select(p => new PasskeyRow(Passkeys.EncodeId(p.CredentialId), p.Name ?? "Passkey", p.CreatedAt))
            .ToList();
    }
}
