using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Remittances : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RemittanceStatements",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    BranchId = table.Column<Guid>(type: "uuid", nullable: false),
                    PeriodStart = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PeriodEnd = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    OpeningPence = table.Column<long>(type: "bigint", nullable: false),
                    CardDonationsPence = table.Column<long>(type: "bigint", nullable: false),
                    FeesPence = table.Column<long>(type: "bigint", nullable: false),
                    RefundsPence = table.Column<long>(type: "bigint", nullable: false),
                    ChargebacksPence = table.Column<long>(type: "bigint", nullable: false),
                    ChargebackReversalsPence = table.Column<long>(type: "bigint", nullable: false),
                    OfflinePence = table.Column<long>(type: "bigint", nullable: false),
                    RemittancesPence = table.Column<long>(type: "bigint", nullable: false),
                    ClosingPence = table.Column<long>(type: "bigint", nullable: false),
                    DonationCount = table.Column<int>(type: "integer", nullable: false),
                    EntryCount = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ApprovedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ApprovedByUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    ApprovedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RemittanceStatements", x => x.Id);
                    table.CheckConstraint("ck_statements_closing_adds_up", "\"ClosingPence\" = \"OpeningPence\" + \"CardDonationsPence\" + \"FeesPence\" + \"RefundsPence\" + \"ChargebacksPence\" + \"ChargebackReversalsPence\" + \"OfflinePence\" + \"RemittancesPence\"");
                    table.CheckConstraint("ck_statements_period_forward", "\"PeriodStart\" < \"PeriodEnd\"");
                    table.ForeignKey(
                        name: "FK_RemittanceStatements_Branches_BranchId",
                        column: x => x.BranchId,
                        principalTable: "Branches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "RemittancePayments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    StatementId = table.Column<Guid>(type: "uuid", nullable: false),
                    BranchId = table.Column<Guid>(type: "uuid", nullable: false),
                    AmountPence = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    PaidOn = table.Column<DateOnly>(type: "date", nullable: false),
                    BankReference = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ReferenceKey = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    RecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RecordedByUserId = table.Column<Guid>(type: "uuid", nullable: false),
                    RecordedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ConfirmedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ConfirmedByUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    ConfirmedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RemittancePayments", x => x.Id);
                    table.CheckConstraint("ck_remittance_payments_amount_positive", "\"AmountPence\" > 0");
                    table.ForeignKey(
                        name: "FK_RemittancePayments_Branches_BranchId",
                        column: x => x.BranchId,
                        principalTable: "Branches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_RemittancePayments_RemittanceStatements_StatementId",
                        column: x => x.StatementId,
                        principalTable: "RemittanceStatements",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RemittancePayments_BranchId_RecordedAt",
                table: "RemittancePayments",
                columns: new[] { "BranchId", "RecordedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RemittancePayments_ReferenceKey",
                table: "RemittancePayments",
                column: "ReferenceKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RemittancePayments_StatementId",
                table: "RemittancePayments",
                column: "StatementId");

            migrationBuilder.CreateIndex(
                name: "IX_RemittanceStatements_BranchId_PeriodEnd",
                table: "RemittanceStatements",
                columns: new[] { "BranchId", "PeriodEnd" },
                unique: true);

            // Statements select a branch's entries by the instant the site recorded them; the model's
            // (BranchId, OccurredAt) index does not serve that, and the ledger's model belongs to donations.
            migrationBuilder.Sql("""CREATE INDEX "IX_LedgerEntries_BranchId_RecordedAt" ON "LedgerEntries" ("BranchId", "RecordedAt");""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_LedgerEntries_BranchId_RecordedAt";""");

            migrationBuilder.DropTable(
                name: "RemittancePayments");

            migrationBuilder.DropTable(
                name: "RemittanceStatements");
        }
    }
}
