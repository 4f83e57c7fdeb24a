using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class SupportersCountedFromTheLedger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The trigger counted a gift in or out when it changed the gift's CountsAsSupporter, so a paid gift's row was
            // written twice: once by the trigger, once with its status. It now tells from the ledger alone whether the
            // gift counted before the statement (its entries less those just posted) and counts after it (all of them),
            // and only keeps the flag true to that. Whoever posts a gift's first entries may set the flag in the update
            // it makes anyway, as a webhook batch does, and the row is written once; a flag set wrongly is put right here.
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION supporters_recount() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    WITH touched AS (
                        SELECT "DonationId" AS id, SUM("AmountPence") AS posted FROM posted
                        WHERE "DonationId" IS NOT NULL AND "Kind" NOT IN ('ProcessingFee', 'ChargebackFee')
                        GROUP BY "DonationId"),
                    summed AS (
                        SELECT d."Id", d."DisputeId", d."CountsAsSupporter" AS flagged, t.posted,
                            COALESCE(d."DonorKey", 'gift:' || replace(d."Id"::text, '-', '')) AS donor,
                            COALESCE((SELECT SUM(e."AmountPence") FROM "LedgerEntries" AS e
                                      WHERE e."DonationId" = d."Id" AND e."Kind" NOT IN ('ProcessingFee', 'ChargebackFee')), 0) AS total
                        FROM "Donations" AS d JOIN touched AS t ON t.id = d."Id"),
                    held AS (
                        SELECT "Id", "DisputeId", donor, flagged, total > 0 AS counts, total - posted > 0 AS counted FROM summed),
                    flagged AS (
                        UPDATE "Donations" AS d SET "CountsAsSupporter" = h.counts
                        FROM held AS h
                        WHERE d."Id" = h."Id" AND h.flagged <> h.counts),
                    changed AS (
                        SELECT "Id", "DisputeId", donor, CASE WHEN counts THEN 1 ELSE -1 END AS delta FROM held WHERE counts <> counted),
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
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION supporters_recount() RETURNS trigger LANGUAGE plpgsql AS $$
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
                """);
        }
    }
}
