using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class LedgerTotals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "LedgerTotals",
                columns: table => new
                {
                    DisputeId = table.Column<Guid>(type: "uuid", nullable: false),
                    BranchId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    AmountPence = table.Column<long>(type: "bigint", nullable: false),
                    EntryCount = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LedgerTotals", x => new { x.DisputeId, x.BranchId, x.Kind });
                    table.ForeignKey(
                        name: "FK_LedgerTotals_Branches_BranchId",
                        column: x => x.BranchId,
                        principalTable: "Branches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_LedgerTotals_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_LedgerTotals_BranchId",
                table: "LedgerTotals",
                column: "BranchId");

            // The totals are kept by the database, in the statement that posts the entries: whatever path inserts an
            // entry, its total moves with it in the same transaction. The transition table holds only the rows the
            // INSERT actually added, so an entry skipped by ON CONFLICT DO NOTHING adds nothing.
            migrationBuilder.Sql("""
                CREATE FUNCTION ledger_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO "LedgerTotals" ("DisputeId", "BranchId", "Kind", "AmountPence", "EntryCount")
                    SELECT "DisputeId", "BranchId", "Kind", SUM("AmountPence"), COUNT(*)
                    FROM posted
                    GROUP BY "DisputeId", "BranchId", "Kind"
                    ORDER BY "DisputeId", "BranchId", "Kind"
                    ON CONFLICT ("DisputeId", "BranchId", "Kind") DO UPDATE
                        SET "AmountPence" = "LedgerTotals"."AmountPence" + EXCLUDED."AmountPence",
                            "EntryCount" = "LedgerTotals"."EntryCount" + EXCLUDED."EntryCount";
                    RETURN NULL;
                END $$;
                CREATE TRIGGER ledger_entries_totals AFTER INSERT ON "LedgerEntries"
                    REFERENCING NEW TABLE AS posted FOR EACH STATEMENT EXECUTE FUNCTION ledger_totals_add();
                INSERT INTO "LedgerTotals" ("DisputeId", "BranchId", "Kind", "AmountPence", "EntryCount")
                SELECT "DisputeId", "BranchId", "Kind", SUM("AmountPence"), COUNT(*)
                FROM "LedgerEntries"
                GROUP BY "DisputeId", "BranchId", "Kind";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER ledger_entries_totals ON "LedgerEntries"; DROP FUNCTION ledger_totals_add();""");

            migrationBuilder.DropTable(
                name: "LedgerTotals");
        }
    }
}
