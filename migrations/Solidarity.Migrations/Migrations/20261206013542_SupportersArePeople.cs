using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class SupportersArePeople : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "CountsAsSupporter",
                table: "Donations",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "DonorKey",
                table: "Donations",
                type: "character varying(80)",
                maxLength: 80,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "DisputeSupporters",
                columns: table => new
                {
                    DisputeId = table.Column<Guid>(type: "uuid", nullable: false),
                    DonorKey = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    CountingGifts = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisputeSupporters", x => new { x.DisputeId, x.DonorKey });
                    table.ForeignKey(
                        name: "FK_DisputeSupporters_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "SupporterTotals",
                columns: table => new
                {
                    DisputeId = table.Column<Guid>(type: "uuid", nullable: false),
                    BranchId = table.Column<Guid>(type: "uuid", nullable: false),
                    Supporters = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SupporterTotals", x => new { x.DisputeId, x.BranchId });
                    table.ForeignKey(
                        name: "FK_SupporterTotals_Branches_BranchId",
                        column: x => x.BranchId,
                        principalTable: "Branches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_SupporterTotals_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DisputeSupporters_DonorKey",
                table: "DisputeSupporters",
                column: "DonorKey");

            migrationBuilder.CreateIndex(
                name: "IX_SupporterTotals_BranchId",
                table: "SupporterTotals",
                column: "BranchId");

            // Supporters are people, not donations, and the database counts them as it keeps the money's totals: in the
            // statement that posts entries, whatever path posts them. A gift counts while the money it brought in is
            // not all refunded or charged back; its donor counts while any of their gifts to the dispute counts; and
            // the dispute's count moves in the row of the changing gift's first branch, which every posting holds
            // locked, so no one row serialises a dispute. Lock order: the donation, its branches (both taken by the
            // caller), then the donor's tally.
            migrationBuilder.Sql("""
                CREATE FUNCTION supporters_recount() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    WITH touched AS (
                        SELECT DISTINCT "DonationId" AS id FROM posted
                        WHERE "DonationId" IS NOT NULL AND "Kind" NOT IN ('ProcessingFee', 'ChargebackFee')),
                    held AS (
                        SELECT d."Id", d."DisputeId", COALESCE(d."DonorKey", 'gift:' || replace(d."Id"::text, '-', '')) AS donor,
                            COALESCE((SELECT SUM(e."AmountPence") FROM "LedgerEntries" AS e
                                      WHERE e."DonationId" = d."Id" AND e."Kind" NOT IN ('ProcessingFee', 'ChargebackFee')), 0) > 0 AS counts
                        FROM "Donations" AS d JOIN touched AS t ON t.id = d."Id"),
                    changed AS (
                        UPDATE "Donations" AS d SET "CountsAsSupporter" = h.counts
                        FROM held AS h
                        WHERE d."Id" = h."Id" AND d."CountsAsSupporter" <> h.counts
                        RETURNING d."Id", h."DisputeId", h.donor, CASE WHEN h.counts THEN 1 ELSE -1 END AS delta),
                    per_donor AS (
                        SELECT "DisputeId", donor, SUM(delta)::int AS delta, (array_agg("Id" ORDER BY "Id"))[1] AS donation
                        FROM changed GROUP BY "DisputeId", donor HAVING SUM(delta) <> 0),
                    tallied AS (
                        INSERT INTO "DisputeSupporters" ("DisputeId", "DonorKey", "CountingGifts")
                        SELECT "DisputeId", donor, delta FROM per_donor ORDER BY "DisputeId", donor
                        ON CONFLICT ("DisputeId", "DonorKey") DO UPDATE
                            SET "CountingGifts" = "DisputeSupporters"."CountingGifts" + EXCLUDED."CountingGifts"
                        RETURNING "DisputeId", "DonorKey", "CountingGifts"),
                    crossed AS (
                        SELECT t."DisputeId",
                            (SELECT a."BranchId" FROM "DonationAllocations" AS a WHERE a."DonationId" = p.donation ORDER BY a."BranchId" LIMIT 1) AS branch,
                            CASE WHEN t."CountingGifts" > 0 AND t."CountingGifts" - p.delta <= 0 THEN 1
                                 WHEN t."CountingGifts" <= 0 AND t."CountingGifts" - p.delta > 0 THEN -1
                                 ELSE 0 END AS delta
                        FROM tallied AS t JOIN per_donor AS p ON p."DisputeId" = t."DisputeId" AND p.donor = t."DonorKey")
                    INSERT INTO "SupporterTotals" ("DisputeId", "BranchId", "Supporters")
                    SELECT "DisputeId", branch, SUM(delta) FROM crossed WHERE delta <> 0
                    GROUP BY "DisputeId", branch ORDER BY "DisputeId", branch
                    ON CONFLICT ("DisputeId", "BranchId") DO UPDATE SET "Supporters" = "SupporterTotals"."Supporters" + EXCLUDED."Supporters";
                    RETURN NULL;
                END $$;
                CREATE TRIGGER ledger_entries_supporters AFTER INSERT ON "LedgerEntries"
                    REFERENCING NEW TABLE AS posted FOR EACH STATEMENT EXECUTE FUNCTION supporters_recount();
                """);

            // Gifts made before donors had keys count one by one, as they did; a gift with no key is its own donor.
            migrationBuilder.Sql("""
                UPDATE "Donations" AS d SET "CountsAsSupporter" = true
                WHERE (SELECT COALESCE(SUM(e."AmountPence"), 0) FROM "LedgerEntries" AS e
                       WHERE e."DonationId" = d."Id" AND e."Kind" NOT IN ('ProcessingFee', 'ChargebackFee')) > 0;
                INSERT INTO "DisputeSupporters" ("DisputeId", "DonorKey", "CountingGifts")
                SELECT "DisputeId", 'gift:' || replace("Id"::text, '-', ''), 1 FROM "Donations" WHERE "CountsAsSupporter";
                INSERT INTO "SupporterTotals" ("DisputeId", "BranchId", "Supporters")
                SELECT d."DisputeId",
                    (SELECT a."BranchId" FROM "DonationAllocations" AS a WHERE a."DonationId" = d."Id" ORDER BY a."BranchId" LIMIT 1) AS branch,
                    COUNT(*)
                FROM "Donations" AS d WHERE d."CountsAsSupporter"
                GROUP BY 1, 2;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER ledger_entries_supporters ON "LedgerEntries"; DROP FUNCTION supporters_recount();""");

            migrationBuilder.DropTable(
                name: "DisputeSupporters");

            migrationBuilder.DropTable(
                name: "SupporterTotals");

            migrationBuilder.DropColumn(
                name: "CountsAsSupporter",
                table: "Donations");

            migrationBuilder.DropColumn(
                name: "DonorKey",
                table: "Donations");
        }
    }
}
