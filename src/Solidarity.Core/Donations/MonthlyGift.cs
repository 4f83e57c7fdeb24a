namespace Solidarity.Core.Donations;

public enum MonthlyGiftStatus
{
    /// <summary>Created; the supporter has been sent to Checkout and Stripe has not yet started the subscription.</summary>
    Pending,

    /// <summary>Stripe collects every month.</summary>
    Active,

    /// <summary>The dispute ended: collection is paused at Stripe until the giver moves the gift or it is cancelled.</summary>
    Paused,

    /// <summary>Ended for good: by the giver, by Stripe, or because a paused gift was not moved in time.</summary>
    Cancelled,
}

/// <summary>
/// A monthly gift: a Stripe subscription that gives to one dispute (its chosen branch, or split by the dispute's shares)
/// every month while the dispute lasts. Each paid invoice becomes one <see cref="Donation"/>; this row holds who gives,
/// how the gift stands and what ties it to Stripe. Private like a donation: nothing here is shown publicly.
/// </summary>
public sealed class MonthlyGift : Gift
{
    public MonthlyGiftStatus Status { get; set; }

    public string? StripeSubscriptionId { get; set; }
    public string? StripeCustomerId { get; set; }

    /// <summary>When Stripe will next collect, as the subscription last reported it.</summary>
    public DateTimeOffset? NextPaymentAt { get; set; }

    /// <summary>When collection was paused because the dispute ended; the giver may move the gift for 30 days after.</summary>
    public DateTimeOffset? PausedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }

    /// <summary>The dispute the gift was moved from, after that dispute ended, and when.</summary>
    public Guid? MovedFromDisputeId { get; set; }
    public DateTimeOffset? MovedAt { get; set; }

    /// <summary>
    /// When the subscription was as the site last recorded it (the created time of the Stripe event that said so), so
    /// that an older event delivered late never puts back a state the subscription has left.
    /// </summary>
    public DateTimeOffset? SubscriptionSeenAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A link emailed to a monthly giver (with each receipt) that opens the page where they see and cancel the gift: only the
/// SHA-256 of its token is stored. Every link sent works while the gift runs.
/// </summary>
public sealed class MonthlyGiftLink
{
    public required byte[] TokenHash { get; set; }
    public Guid MonthlyGiftId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// A monthly payment Stripe could not take, one row per invoice: Stripe retries it on its own schedule, and the row
/// records each failure until the invoice is paid (or the gift ends), for the admins to see.
/// </summary>
public sealed class MonthlyPaymentFailure
{
    public required string StripeInvoiceId { get; set; }
    public Guid MonthlyGiftId { get; set; }
    public Guid DisputeId { get; set; }
    public long AmountPence { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset FirstFailedAt { get; set; }
    public DateTimeOffset LastFailedAt { get; set; }

    /// <summary>When Stripe will try again; null when it has given up.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>When a later attempt paid the invoice.</summary>
    public DateTimeOffset? PaidAt { get; set; }
}

/// <summary>
/// The public summary of a dispute's monthly gifts: how many people give monthly and how much a month, kept in step
/// (recounted under this row's lock) whenever a gift starts, pauses, moves or ends, so pages read one row.
/// </summary>
public sealed class MonthlyTotal
{
    public Guid DisputeId { get; set; }
    public int Givers { get; set; }
    public long MonthlyPence { get; set; }
}

/// <summary>
/// The notice owed to a monthly giver that the dispute their gift went to has ended and collection is paused: one row per
/// gift and dispute, so however many workers run the job, each giver is paused and emailed once. When an admin reopens
/// the dispute the gift resumes (<see cref="ResumedAt"/>), and if the dispute ends again the row starts its next
/// <see cref="Round"/>, so each end pauses and emails once, and each reopening resumes once.
/// </summary>
public sealed class MonthlyGiftNotice
{
    public Guid MonthlyGiftId { get; set; }
    public Guid DisputeId { get; set; }

    /// <summary>How many times the dispute has ended while the gift went to it: 1 for the first end.</summary>
    public int Round { get; set; } = 1;
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When Stripe confirmed collection paused.</summary>
    public DateTimeOffset? PausedAt { get; set; }

    /// <summary>When the email was handed to the mail server.</summary>
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }

    /// <summary>When the gift resumed because an admin reopened the dispute; null while this round's pause stands.</summary>
    public DateTimeOffset? ResumedAt { get; set; }
}
