using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class CheckoutClients : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CheckoutClients",
                columns: table => new
                {
                    DonationId = table.Column<Guid>(type: "uuid", nullable: false),
                    ClientSubject = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CheckoutClients", x => x.DonationId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CheckoutClients_CreatedAt",
                table: "CheckoutClients",
                column: "CreatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CheckoutClients");
        }
    }
}
