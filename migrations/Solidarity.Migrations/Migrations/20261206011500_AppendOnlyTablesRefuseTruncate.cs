using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AppendOnlyTablesRefuseTruncate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // TRUNCATE empties a table without firing its row triggers, so the append-only tables refuse it as well.
            // One role is let through: solidarity_test_reset, which only the test suite's servers create (NOLOGIN,
            // granted TRUNCATE there) to empty every table between tests. A role acts with its own privileges, so
            // elsewhere it would need TRUNCATE granted by the tables' owner, who can drop these triggers anyway.
            // Superusers are not let through: they are refused like everyone else.
            migrationBuilder.Sql("""
                CREATE FUNCTION refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF current_user = 'solidarity_test_reset' THEN
                        RETURN NULL;
                    END IF;
                    RAISE EXCEPTION 'rows of % are append-only: % refused', TG_TABLE_NAME, TG_OP
                        USING ERRCODE = 'restrict_violation';
                END $$;
                CREATE TRIGGER audit_entries_refuse_truncate BEFORE TRUNCATE ON "AuditEntries"
                    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
                CREATE TRIGGER ledger_entries_refuse_truncate BEFORE TRUNCATE ON "LedgerEntries"
                    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER ledger_entries_refuse_truncate ON "LedgerEntries";
                DROP TRIGGER audit_entries_refuse_truncate ON "AuditEntries";
                DROP FUNCTION refuse_truncate();
                """);
        }
    }
}
