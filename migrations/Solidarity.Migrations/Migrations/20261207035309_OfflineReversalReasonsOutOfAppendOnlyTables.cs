using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <summary>
    /// The reason an admin gave for reversing an offline gift ("bounced: J. Bloggs's account closed") was written into the
    /// reversing ledger entries' note and into the audit entry, two tables that are never edited, so an erasure could not
    /// reach it. From now on it is kept on the donation, in a column of its own that an erasure clears. This moves the
    /// reasons written before onto their donations (unless the donor has since been erased), then rewrites the rows once,
    /// as <see cref="OfflineReferencesOutOfAppendOnlyTables"/> did for references: each table's append-only trigger is
    /// lifted for that one statement, inside the migration's transaction, and the audit log records what was changed.
    /// </summary>
    public partial class OfflineReversalReasonsOutOfAppendOnlyTables : Migration
    {
        /// <summary>The move and the rewrite, public so that a test can run them against rows of the old shape.</summary>
        public const string RewriteSql = """
            DO $rewrite$
            DECLARE
                ledger_rows integer;
                audit_rows integer;
            BEGIN
                UPDATE "Donations" AS d
                SET "ReversalReason" = left(COALESCE(
                    (SELECT e."Note" FROM "LedgerEntries" AS e
                     WHERE e."DonationId" = d."Id" AND e."Kind" = 'OfflineDonationReversed' AND e."Note" IS NOT NULL
                     ORDER BY e."Id" LIMIT 1),
                    (SELECT a."Details" ->> 'reason' FROM "AuditEntries" AS a
                     WHERE a."Action" = 'offline-donation.reversed' AND a."SubjectId" = d."Id"::text
                     ORDER BY a."Id" DESC LIMIT 1)), 400)
                WHERE d."Status" = 'Reversed' AND d."ErasedAt" IS NULL AND d."ReversalReason" IS NULL
                    AND d."Method" IN ('Cheque', 'BankTransfer', 'Collection');

                ALTER TABLE "LedgerEntries" DISABLE TRIGGER ledger_entries_append_only;
                UPDATE "LedgerEntries" AS e
                SET "Note" = CASE d."Method" WHEN 'Cheque' THEN 'Cheque' WHEN 'BankTransfer' THEN 'Bank transfer'
                        WHEN 'Collection' THEN 'Collection' ELSE d."Method" END || ' reversed'
                FROM "Donations" AS d
                WHERE d."Id" = e."DonationId" AND e."Kind" = 'OfflineDonationReversed' AND e."Note" IS NOT NULL
                    AND e."Note" <> CASE d."Method" WHEN 'Cheque' THEN 'Cheque' WHEN 'BankTransfer' THEN 'Bank transfer'
                        WHEN 'Collection' THEN 'Collection' ELSE d."Method" END || ' reversed';
                GET DIAGNOSTICS ledger_rows = ROW_COUNT;
                ALTER TABLE "LedgerEntries" ENABLE TRIGGER ledger_entries_append_only;

                ALTER TABLE "AuditEntries" DISABLE TRIGGER audit_entries_append_only;
                UPDATE "AuditEntries"
                SET "Details" = "Details" - 'reason'
                WHERE "Action" = 'offline-donation.reversed' AND "Details" ? 'reason';
                GET DIAGNOSTICS audit_rows = ROW_COUNT;
                ALTER TABLE "AuditEntries" ENABLE TRIGGER audit_entries_append_only;

                IF ledger_rows + audit_rows > 0 THEN
                    INSERT INTO "AuditEntries" ("At", "UserName", "Action", "SubjectType", "SubjectId", "Details")
                    VALUES (now(), 'migration', 'personal-data.rewritten', 'migration', 'OfflineReversalReasonsOutOfAppendOnlyTables',
                        jsonb_build_object('ledgerEntryNotes', ledger_rows, 'auditEntryDetails', audit_rows,
                            'change', 'offline reversal reasons removed; they remain on the donations, which an erasure clears'));
                END IF;
            END
            $rewrite$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ReversalReason",
                table: "Donations",
                type: "character varying(400)",
                maxLength: 400,
                nullable: true);
            migrationBuilder.Sql(RewriteSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The reasons are not written back into the ledger or the audit log, on purpose.
            migrationBuilder.DropColumn(
                name: "ReversalReason",
                table: "Donations");
        }
    }
}
