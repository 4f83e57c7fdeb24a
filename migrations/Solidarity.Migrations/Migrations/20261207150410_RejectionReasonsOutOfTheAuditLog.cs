using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <summary>
    /// A moderator's reason for rejecting a message ("gives Jo's phone number") was written into the audit entry as well
    /// as onto the message, and the audit log is never edited, so an erasure or the retention job could not reach it. From
    /// now on it is kept on the message only, and goes with the message's text. This removes the reasons from the audit
    /// entries written before, as <see cref="OfflineReversalReasonsOutOfAppendOnlyTables"/> did for reversals (the
    /// append-only trigger lifted for that one statement, inside the migration's transaction), replaces the reasons of
    /// messages whose text an erasure or the retention job has already removed, and records what it changed. A rejection
    /// made on a process of the previous version while a release rolls out still writes its reason into the log.
    /// </summary>
    public partial class RejectionReasonsOutOfTheAuditLog : Migration
    {
        /// <summary>The rewrite, public so that a test can run it against rows of the old shape.</summary>
        public const string RewriteSql = """
            DO $rewrite$
            DECLARE
                audit_rows integer;
                message_rows integer;
            BEGIN
                ALTER TABLE "AuditEntries" DISABLE TRIGGER audit_entries_append_only;
                UPDATE "AuditEntries"
                SET "Details" = NULLIF("Details" - 'reason', jsonb_build_object())
                WHERE "Action" = 'message.rejected' AND "Details" ? 'reason';
                GET DIAGNOSTICS audit_rows = ROW_COUNT;
                ALTER TABLE "AuditEntries" ENABLE TRIGGER audit_entries_append_only;

                UPDATE "SupportMessages"
                SET "RejectionReason" = 'Removed with the message''s text.'
                WHERE "RejectionReason" IS NOT NULL AND "RejectionReason" <> 'Removed with the message''s text.' AND "Body" IN (
                    'This message was removed at its author''s request.',
                    'Removed: the gift this message came with was never paid.',
                    'Removed some time after it was rejected.');
                GET DIAGNOSTICS message_rows = ROW_COUNT;

                IF audit_rows + message_rows > 0 THEN
                    INSERT INTO "AuditEntries" ("At", "UserName", "Action", "SubjectType", "SubjectId", "Details")
                    VALUES (now(), 'migration', 'personal-data.rewritten', 'migration', 'RejectionReasonsOutOfTheAuditLog',
                        jsonb_build_object('auditEntryDetails', audit_rows, 'removedMessages', message_rows,
                            'change', 'reasons for rejecting messages removed from the audit log; they remain on the messages, and go with their text'));
                END IF;
            END
            $rewrite$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(RewriteSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The reasons are not written back into the audit log, on purpose.
        }
    }
}
