namespace Solidarity.Web.Pages.Admin;

/// <summary>
/// Every action the audit log records, by what it is about: the log's whole vocabulary in one place, for the audit page,
/// the auditors reading it, and the tests. Stored as written here, so a name never changes once entries carry it.
/// </summary>
internal static class AuditActions
{
    // Disputes, their branches and unions.
    public const string DisputeCreated = "dispute.created";
    public const string DisputeEdited = "dispute.edited";
    public const string DisputePublished = "dispute.published";
    public const string DisputeUnpublished = "dispute.unpublished";
    /// <summary>An update posted from the dispute's edit page, before updates were written only on their own pages: older entries.</summary>
    public const string DisputeUpdatePosted = "dispute.update-posted";
    public const string DisputeStatusChanged = "dispute.status-changed";
    public const string BranchCreated = "branch.created";
    public const string BranchEdited = "branch.edited";
    public const string UnionCreated = "union.created";

    // Updates to a dispute.
    public const string UpdateDrafted = "update.drafted";
    public const string UpdateScheduled = "update.scheduled";
    public const string UpdatePublished = "update.published";
    public const string UpdatePublishedOnSchedule = "update.published-on-schedule";
    public const string UpdateEdited = "update.edited";

    // Messages of support.
    public const string MessageApproved = "message.approved";
    public const string MessageRejected = "message.rejected";

    // Money: offline gifts, statements and remittances, and the nightly check of the running totals.
    public const string OfflineRecorded = "offline-donation.recorded";
    public const string OfflineReversed = "offline-donation.reversed";
    public const string StatementApproved = "remittance-statement.approved";
    public const string RemittanceRecorded = "remittance.recorded";
    public const string RemittanceConfirmed = "remittance.confirmed";
    public const string LedgerTotalsDiffer = "ledger.totals-differ";

    // Monthly gifts.
    public const string MonthlyCancelled = "monthly.cancelled";
    public const string MonthlyPaused = "monthly.paused";
    public const string MonthlyResumed = "monthly.resumed";
    public const string MonthlyMoved = "monthly.moved";
    public const string MonthlyCancelledUnmoved = "monthly.cancelled-unmoved";

    // Donors' personal data.
    public const string DonorExported = "donor.exported";
    public const string DonorErased = "donor.erased";
    public const string PersonalDataCleared = "personal-data.cleared";

    /// <summary>Written by the migrations that rewrote older rows to take personal data out of the append-only tables.</summary>
    public const string PersonalDataRewritten = "personal-data.rewritten";

    // Accounts.
    public const string AuthenticatorEnrolled = "account.authenticator-enrolled";
    public const string AuthenticatorReset = "account.authenticator-reset";
    public const string PasskeyAdded = "account.passkey-added";
    public const string PasskeyRemoved = "account.passkey-removed";
    public const string PasskeySignIn = "account.passkey-sign-in";
    public const string RecoveryCodesRenewed = "account.recovery-codes-renewed";
    public const string InvitationIssued = "account.invitation-issued";
    public const string InvitationRevoked = "account.invitation-revoked";
    public const string InvitationAccepted = "account.invitation-accepted";
    public const string AccountDisabled = "account.disabled";
    public const string AccountEnabled = "account.enabled";
    public const string DemoAccountRemoved = "account.demo-removed";
    public const string PasswordChanged = "account.password-changed";
    public const string PasswordReset = "account.password-reset";
    public const string SecondFactorReset = "account.second-factor-reset";
}
