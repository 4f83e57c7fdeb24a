using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <summary>
    /// An offline gift's reference ("cheque 001234 from J. Bloggs") was copied into its ledger entries' note and into the
    /// audit entry that recorded it, two tables that are never edited, so an erasure could not reach it. From now on it
    /// stays on the donation alone. This rewrites the rows written before, once: each table's append-only trigger is
    /// lifted for that one statement, inside the migration's transaction, and the audit log records what was changed.
    /// </summary>
    public partial class OfflineReferencesOutOfAppendOnlyTables : Migration
    {
        /// <summary>The rewrite, public so that a test can run it against rows of the old shape.</summary>
        public const string RewriteSql = """
            DO $rewrite$
            DECLARE
                ledger_rows integer;
                audit_rows integer;
            BEGIN
                ALTER TABLE "LedgerEntries" DISABLE TRIGGER ledger_entries_append_only;
                UPDATE "LedgerEntries" AS e
                SET "Note" = CASE d."Method" WHEN 'Cheque' THEN 'Cheque' WHEN 'BankTransfer' THEN 'Bank transfer'
                        WHEN 'Collection' THEN 'Collection' ELSE d."Method" END
                FROM "Donations" AS d
                WHERE d."Id" = e."DonationId" AND e."Kind" = 'OfflineDonation' AND e."Note" IS NOT NULL
                    AND e."Note" <> CASE d."Method" WHEN 'Cheque' THEN 'Cheque' WHEN 'BankTransfer' THEN 'Bank transfer'
                        WHEN 'Collection' THEN 'Collection' ELSE d."Method" END;
                GET DIAGNOSTICS ledger_rows = ROW_COUNT;
                ALTER TABLE "LedgerEntries" ENABLE TRIGGER ledger_entries_append_only;

                ALTER TABLE "AuditEntries" DISABLE TRIGGER audit_entries_append_only;
                UPDATE "AuditEntries"
                SET "Details" = ("Details" - 'reference')
                        || jsonb_build_object('hasReference', ("Details" -> 'reference') <> 'null'::jsonb)
                WHERE "Action" = 'offline-donation.recorded' AND "Details" ? 'reference';
                GET DIAGNOSTICS audit_rows = ROW_COUNT;
                ALTER TABLE "AuditEntries" ENABLE TRIGGER audit_entries_append_only;

                IF ledger_rows + audit_rows > 0 THEN
                    INSERT INTO "AuditEntries" ("At", "UserName", "Action", "SubjectType", "SubjectId", "Details")
                    VALUES (now(), 'migration', 'personal-data.rewritten', 'migration', 'OfflineReferencesOutOfAppendOnlyTables',
                        jsonb_build_object('ledgerEntryNotes', ledger_rows, 'auditEntryDetails', audit_rows,
                            'change', 'offline references removed; they remain on the donations, which an erasure clears'));
                END IF;
            END
            $rewrite$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(RewriteSql);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // What was removed is not kept anywhere it could be restored from, on purpose.
        }
    }
}
