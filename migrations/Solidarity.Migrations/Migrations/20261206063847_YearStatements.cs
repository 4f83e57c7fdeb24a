using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <summary>
    /// Statements of a year's giving, asked for by a donor at /receipts/statement or sent in January; and an index on the
    /// lower-cased address of a gift, so finding a donor's gifts (for a statement, as for an erasure) reads a few rows
    /// rather than every donation.
    /// </summary>
    public partial class YearStatements : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "YearStatements",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Year = table.Column<int>(type: "integer", nullable: false),
                    AddressKey = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: true),
                    Occasion = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    DonationIds = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ErasedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DownloadTokenHash = table.Column<byte[]>(type: "bytea", nullable: true),
                    DownloadTokenExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_YearStatements", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_YearStatements_AddressKey_Year_Occasion",
                table: "YearStatements",
                columns: new[] { "AddressKey", "Year", "Occasion" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_YearStatements_DonationIds",
                table: "YearStatements",
                column: "DonationIds")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "IX_YearStatements_DownloadTokenHash",
                table: "YearStatements",
                column: "DownloadTokenHash",
                unique: true);

            migrationBuilder.Sql("""CREATE INDEX "IX_Donations_LowerEmail" ON "Donations" (lower("Email"))""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_Donations_LowerEmail" """);

            migrationBuilder.DropTable(
                name: "YearStatements");
        }
    }
}
