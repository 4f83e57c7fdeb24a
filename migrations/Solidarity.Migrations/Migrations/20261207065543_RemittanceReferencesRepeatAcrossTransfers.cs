using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class RemittanceReferencesRepeatAcrossTransfers : Migration
    {
        /// <summary>
        /// The keys written before kept punctuation ("ABC-123"); they now keep letters and digits only. A key is rewritten
        /// unless that would make it one with another transfer's of the same branch, day and amount: two such rows were
        /// recorded as different transfers, and stay so. Running it again changes nothing.
        /// </summary>
        public const string RekeySql = """
                UPDATE "RemittancePayments" AS p
                SET "ReferenceKey" = upper(regexp_replace(p."BankReference", '[^[:alnum:]]', '', 'g'))
                WHERE p."ReferenceKey" <> upper(regexp_replace(p."BankReference", '[^[:alnum:]]', '', 'g'))
                  AND NOT EXISTS (
                    SELECT 1 FROM "RemittancePayments" AS o
                    WHERE o."Id" <> p."Id" AND o."BranchId" = p."BranchId" AND o."PaidOn" = p."PaidOn" AND o."AmountPence" = p."AmountPence"
                      AND upper(regexp_replace(o."BankReference", '[^[:alnum:]]', '', 'g'))
                        = upper(regexp_replace(p."BankReference", '[^[:alnum:]]', '', 'g')));
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_RemittancePayments_ReferenceKey",
                table: "RemittancePayments");

            migrationBuilder.Sql(RekeySql);

            migrationBuilder.CreateIndex(
                name: "IX_RemittancePayments_BranchId_ReferenceKey_PaidOn_AmountPence",
                table: "RemittancePayments",
                columns: new[] { "BranchId", "ReferenceKey", "PaidOn", "AmountPence" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_RemittancePayments_BranchId_ReferenceKey_PaidOn_AmountPence",
                table: "RemittancePayments");

            migrationBuilder.CreateIndex(
                name: "IX_RemittancePayments_ReferenceKey",
                table: "RemittancePayments",
                column: "ReferenceKey",
                unique: true);
        }
    }
}
