using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class OneLowerEmailIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Two indexes kept lower("Email"): this partial one (donor erasure) and IX_Donations_LowerEmail (year
            // statements), which serves every lookup by address. Each index is written on every change to a donation,
            // and a paid donation changes twice, so the spare one cost every payment two index writes for nothing.
            migrationBuilder.Sql("""DROP INDEX ix_donations_email_lower;""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""CREATE INDEX ix_donations_email_lower ON "Donations" (lower("Email")) WHERE "Email" IS NOT NULL;""");
        }
    }
}
