namespace Solidarity.Web.Pages.Donations.Monthly;

/// <summary>
/// What the site writes into a monthly gift's Stripe subscription (and its Checkout Session), and reads back from each
/// invoice's <c>parent.subscription_details.metadata</c>: the site's record of the gift, and the dispute and branch (or
/// the dispute's shares) it gives to, so that anyone reading the subscription at Stripe can tell where it goes.
/// </summary>
internal static class MonthlyGiftMetadata
{
    public const string GiftIdKey = "monthly_gift_id";
    public const string DisputeIdKey = "dispute_id";
    public const string DisputeKey = "dispute";
    public const string BranchKey = "branch";

    /// <summary>The value of <see cref="BranchKey"/> when the gift is split by the dispute's shares.</summary>
    public const string Shares = "shares";

    public static Dictionary<string, string> For(Guid giftId, Guid disputeId, string disputeSlug, Guid? branchId) => new()
    {
        [GiftIdKey] = giftId.ToString(),
        [DisputeIdKey] = disputeId.ToString(),
        [DisputeKey] = disputeSlug,
        [BranchKey] = branchId?.ToString() ?? Shares,
    };

    /// <summary>The site's gift id from the first of <paramref name="metadata"/> that holds one.</summary>
    public static Guid? GiftId(params IDictionary<string, string>?[] metadata) =>
        metadata
            .Select(m => m is not null && m.TryGetValue(GiftIdKey, out var value) && Guid.TryParse(value, CultureInfo.InvariantCulture, out var id) ? id : (Guid?)null)
            .FirstOrDefault(id => id is not null);
}
