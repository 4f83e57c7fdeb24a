using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class OpenBooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "ShowAmountPublicly",
                table: "Donations",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "BooksAsOfStatement",
                table: "Branches",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateIndex(
                name: "IX_StripeEvents_ClosedDisputes",
                table: "StripeEvents",
                column: "ObjectId",
                filter: "\"Type\" = 'charge.dispute.closed'");

            migrationBuilder.CreateIndex(
                name: "IX_Donations_NamedSupporters",
                table: "Donations",
                columns: new[] { "DisputeId", "PaidAt", "Id" },
                filter: "\"CountsAsSupporter\" AND \"ErasedAt\" IS NULL AND (\"PublicName\" IS NOT NULL OR \"OrganisationName\" IS NOT NULL)");

            migrationBuilder.CreateIndex(
                name: "IX_Donations_UnnamedSupporters",
                table: "Donations",
                column: "DisputeId",
                filter: "\"CountsAsSupporter\" AND (\"ErasedAt\" IS NOT NULL OR (\"PublicName\" IS NULL AND \"OrganisationName\" IS NULL))");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_StripeEvents_ClosedDisputes",
                table: "StripeEvents");

            migrationBuilder.DropIndex(
                name: "IX_Donations_NamedSupporters",
                table: "Donations");

            migrationBuilder.DropIndex(
                name: "IX_Donations_UnnamedSupporters",
                table: "Donations");

            migrationBuilder.DropColumn(
                name: "ShowAmountPublicly",
                table: "Donations");

            migrationBuilder.DropColumn(
                name: "BooksAsOfStatement",
                table: "Branches");
        }
    }
}
