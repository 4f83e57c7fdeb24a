using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class ProtectedInvitationKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "AuthenticatorKey",
                table: "Invitations",
                type: "character varying(512)",
                maxLength: 512,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64,
                oldNullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // An encrypted key does not fit the old column; an open invitation without one makes a new key at its next look.
            migrationBuilder.Sql("""UPDATE "Invitations" SET "AuthenticatorKey" = NULL WHERE length("AuthenticatorKey") > 64""");
            migrationBuilder.AlterColumn<string>(
                name: "AuthenticatorKey",
                table: "Invitations",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(512)",
                oldMaxLength: 512,
                oldNullable: true);
        }
    }
}
