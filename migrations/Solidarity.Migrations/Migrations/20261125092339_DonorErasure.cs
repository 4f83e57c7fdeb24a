using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class DonorErasure : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ErasedAt",
                table: "Donations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_donations_erased_holds_no_person",
                table: "Donations",
                sql: "\"ErasedAt\" IS NULL OR (\"DonorName\" IS NULL AND \"Email\" IS NULL AND \"PublicName\" IS NULL)");

            // Admins find a donor's records by exact address, compared case-insensitively.
            migrationBuilder.Sql("""CREATE INDEX ix_donations_email_lower ON "Donations" (lower("Email")) WHERE "Email" IS NOT NULL;""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX ix_donations_email_lower;""");

            migrationBuilder.DropCheckConstraint(
                name: "ck_donations_erased_holds_no_person",
                table: "Donations");

            migrationBuilder.DropColumn(
                name: "ErasedAt",
                table: "Donations");
        }
    }
}
