using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class MonthlyGifts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "MonthlyGiftId",
                table: "SupportMessages",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "MonthlyGiftId",
                table: "Donations",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StripeInvoiceId",
                table: "Donations",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "MonthlyGifts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DisputeId = table.Column<Guid>(type: "uuid", nullable: false),
                    ChosenBranchId = table.Column<Guid>(type: "uuid", nullable: true),
                    AmountPence = table.Column<long>(type: "bigint", nullable: false),
                    FeeCoverPence = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    PublicName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    OrganisationName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ShowAmountPublicly = table.Column<bool>(type: "boolean", nullable: false),
                    DonorName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    DonorKey = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: true),
                    PrivacyConsentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StripeCheckoutSessionId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    StripeSubscriptionId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    StripeCustomerId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    NextPaymentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PausedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CancelledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    MovedFromDisputeId = table.Column<Guid>(type: "uuid", nullable: true),
                    MovedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SubscriptionSeenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MonthlyGifts", x => x.Id);
                    table.CheckConstraint("ck_monthly_gifts_amount_positive", "\"AmountPence\" > 0");
                    table.CheckConstraint("ck_monthly_gifts_fee_cover_not_negative", "\"FeeCoverPence\" >= 0");
                    table.ForeignKey(
                        name: "FK_MonthlyGifts_Branches_ChosenBranchId",
                        column: x => x.ChosenBranchId,
                        principalTable: "Branches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_MonthlyGifts_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_MonthlyGifts_Disputes_MovedFromDisputeId",
                        column: x => x.MovedFromDisputeId,
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "MonthlyTotals",
                columns: table => new
                {
                    DisputeId = table.Column<Guid>(type: "uuid", nullable: false),
                    Givers = table.Column<int>(type: "integer", nullable: false),
                    MonthlyPence = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MonthlyTotals", x => x.DisputeId);
                    table.ForeignKey(
                        name: "FK_MonthlyTotals_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "MonthlyGiftLinks",
                columns: table => new
                {
                    TokenHash = table.Column<byte[]>(type: "bytea", nullable: false),
                    MonthlyGiftId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MonthlyGiftLinks", x => x.TokenHash);
                    table.ForeignKey(
                        name: "FK_MonthlyGiftLinks_MonthlyGifts_MonthlyGiftId",
                        column: x => x.MonthlyGiftId,
                        principalTable: "MonthlyGifts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MonthlyGiftNotices",
                columns: table => new
                {
                    MonthlyGiftId = table.Column<Guid>(type: "uuid", nullable: false),
                    DisputeId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PausedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Attempts = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MonthlyGiftNotices", x => new { x.MonthlyGiftId, x.DisputeId });
                    table.ForeignKey(
                        name: "FK_MonthlyGiftNotices_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_MonthlyGiftNotices_MonthlyGifts_MonthlyGiftId",
                        column: x => x.MonthlyGiftId,
                        principalTable: "MonthlyGifts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "MonthlyPaymentFailures",
                columns: table => new
                {
                    StripeInvoiceId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    MonthlyGiftId = table.Column<Guid>(type: "uuid", nullable: false),
                    DisputeId = table.Column<Guid>(type: "uuid", nullable: false),
                    AmountPence = table.Column<long>(type: "bigint", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    FirstFailedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastFailedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    NextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PaidAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MonthlyPaymentFailures", x => x.StripeInvoiceId);
                    table.ForeignKey(
                        name: "FK_MonthlyPaymentFailures_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_MonthlyPaymentFailures_MonthlyGifts_MonthlyGiftId",
                        column: x => x.MonthlyGiftId,
                        principalTable: "MonthlyGifts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SupportMessages_MonthlyGiftId",
                table: "SupportMessages",
                column: "MonthlyGiftId");

            migrationBuilder.CreateIndex(
                name: "IX_Donations_MonthlyGiftId",
                table: "Donations",
                column: "MonthlyGiftId");

            migrationBuilder.CreateIndex(
                name: "IX_Donations_StripeInvoiceId",
                table: "Donations",
                column: "StripeInvoiceId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MonthlyGiftLinks_MonthlyGiftId",
                table: "MonthlyGiftLinks",
                column: "MonthlyGiftId");

            migrationBuilder.CreateIndex(
                name: "IX_MonthlyGiftNotices_DisputeId",
                table: "MonthlyGiftNotices",
                column: "DisputeId");

            migrationBuilder.CreateIndex(
                name: "IX_MonthlyGifts_ChosenBranchId",
                table: "MonthlyGifts",
                column: "ChosenBranchId");

            migrationBuilder.CreateIndex(
                name: "IX_MonthlyGifts_DisputeId_Status",
                table: "MonthlyGifts",
                columns: new[] { "DisputeId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_MonthlyGifts_MovedFromDisputeId",
                table: "MonthlyGifts",
                column: "MovedFromDisputeId");

            migrationBuilder.CreateIndex(
                name: "IX_MonthlyGifts_StripeCheckoutSessionId",
                table: "MonthlyGifts",
                column: "StripeCheckoutSessionId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MonthlyGifts_StripeSubscriptionId",
                table: "MonthlyGifts",
                column: "StripeSubscriptionId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MonthlyPaymentFailures_DisputeId_LastFailedAt",
                table: "MonthlyPaymentFailures",
                columns: new[] { "DisputeId", "LastFailedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_MonthlyPaymentFailures_MonthlyGiftId",
                table: "MonthlyPaymentFailures",
                column: "MonthlyGiftId");

            migrationBuilder.AddForeignKey(
                name: "FK_Donations_MonthlyGifts_MonthlyGiftId",
                table: "Donations",
                column: "MonthlyGiftId",
                principalTable: "MonthlyGifts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_SupportMessages_MonthlyGifts_MonthlyGiftId",
                table: "SupportMessages",
                column: "MonthlyGiftId",
                principalTable: "MonthlyGifts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Donations_MonthlyGifts_MonthlyGiftId",
                table: "Donations");

            migrationBuilder.DropForeignKey(
                name: "FK_SupportMessages_MonthlyGifts_MonthlyGiftId",
                table: "SupportMessages");

            migrationBuilder.DropTable(
                name: "MonthlyGiftLinks");

            migrationBuilder.DropTable(
                name: "MonthlyGiftNotices");

            migrationBuilder.DropTable(
                name: "MonthlyPaymentFailures");

            migrationBuilder.DropTable(
                name: "MonthlyTotals");

            migrationBuilder.DropTable(
                name: "MonthlyGifts");

            migrationBuilder.DropIndex(
                name: "IX_SupportMessages_MonthlyGiftId",
                table: "SupportMessages");

            migrationBuilder.DropIndex(
                name: "IX_Donations_MonthlyGiftId",
                table: "Donations");

            migrationBuilder.DropIndex(
                name: "IX_Donations_StripeInvoiceId",
                table: "Donations");

            migrationBuilder.DropColumn(
                name: "MonthlyGiftId",
                table: "SupportMessages");

            migrationBuilder.DropColumn(
                name: "MonthlyGiftId",
                table: "Donations");

            migrationBuilder.DropColumn(
                name: "StripeInvoiceId",
                table: "Donations");
        }
    }
}
