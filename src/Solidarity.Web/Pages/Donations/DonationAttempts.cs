using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Solidarity.Web.Pages.Donations;

/// <summary>
/// Proof that a donate form's attempt id (<see cref="DonationInput.AttemptId"/>) was given by this site, in a form it
/// showed. The id alone is no secret: it is the gift's id, in the addresses Stripe sends the giver back to (the cancel
/// and thank-you links), which can be shared, logged by a workplace's proxy or seen at Stripe. Without the proof, anyone
/// holding one, with the giver's email and amount, could send the form again, pick the pending gift up and be taken for
/// the browser that made it: its details, and later its receipt.
/// </summary>
internal sealed class DonationAttempts(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Solidarity.Donations.Attempt");

    public string ProofOf(Guid attemptId) => _protector.Protect(attemptId.ToString("N"));

    public bool Proves(string? proof, Guid attemptId)
    {
        if (string.IsNullOrEmpty(proof))
        {
            return false;
        }

        try
        {
            return _protector.Unprotect(proof) == attemptId.ToString("N");
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
