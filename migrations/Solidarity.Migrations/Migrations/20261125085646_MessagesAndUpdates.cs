using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Solidarity.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class MessagesAndUpdates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ModeratedAt",
                table: "SupportMessages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ModeratedByName",
                table: "SupportMessages",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ModeratedByUserId",
                table: "SupportMessages",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RejectionReason",
                table: "SupportMessages",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "PublishedAt",
                table: "DisputeUpdates",
                type: "timestamp with time zone",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone");

            migrationBuilder.AddColumn<string>(
                name: "AnnouncesStatus",
                table: "DisputeUpdates",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "DisputeUpdates",
                type: "timestamp with time zone",
                nullable: false,
                defaultValueSql: "now()");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "EditedAt",
                table: "DisputeUpdates",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ScheduledFor",
                table: "DisputeUpdates",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "DisputeUpdates",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Published");

            migrationBuilder.AddColumn<uint>(
                name: "xmin",
                table: "DisputeUpdates",
                type: "xid",
                rowVersion: true,
                nullable: false,
                defaultValue: 0u);

            migrationBuilder.CreateTable(
                name: "BranchDigests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    BranchId = table.Column<Guid>(type: "uuid", nullable: false),
                    Date = table.Column<DateOnly>(type: "date", nullable: false),
                    Since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    MessageCount = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BranchDigests", x => x.Id);
                    table.CheckConstraint("ck_digests_window", "\"Since\" IS NULL OR \"Since\" < \"Until\"");
                    table.ForeignKey(
                        name: "FK_BranchDigests_Branches_BranchId",
                        column: x => x.BranchId,
                        principalTable: "Branches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "DisputeUpdateRevisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    UpdateId = table.Column<Guid>(type: "uuid", nullable: false),
                    PreviousTitle = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    PreviousBody = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    EditedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EditedByUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    EditedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisputeUpdateRevisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DisputeUpdateRevisions_DisputeUpdates_UpdateId",
                        column: x => x.UpdateId,
                        principalTable: "DisputeUpdates",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SupportMessages_Status_CreatedAt",
                table: "SupportMessages",
                columns: new[] { "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_SupportMessages_Status_ModeratedAt",
                table: "SupportMessages",
                columns: new[] { "Status", "ModeratedAt" });

            migrationBuilder.AddCheckConstraint(
                name: "ck_messages_moderated_when_decided",
                table: "SupportMessages",
                sql: "(\"Status\" = 'Pending' AND \"ModeratedAt\" IS NULL) OR (\"Status\" <> 'Pending' AND \"ModeratedAt\" IS NOT NULL)");

            migrationBuilder.AddCheckConstraint(
                name: "ck_messages_rejection_has_reason",
                table: "SupportMessages",
                sql: "\"Status\" <> 'Rejected' OR \"RejectionReason\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_DisputeUpdates_ScheduledFor",
                table: "DisputeUpdates",
                column: "ScheduledFor",
                filter: "\"Status\" = 'Scheduled'");

            migrationBuilder.AddCheckConstraint(
                name: "ck_updates_published_has_time",
                table: "DisputeUpdates",
                sql: "\"Status\" <> 'Published' OR \"PublishedAt\" IS NOT NULL");

            migrationBuilder.AddCheckConstraint(
                name: "ck_updates_scheduled_has_time",
                table: "DisputeUpdates",
                sql: "\"Status\" <> 'Scheduled' OR \"ScheduledFor\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_BranchDigests_BranchId_Date",
                table: "BranchDigests",
                columns: new[] { "BranchId", "Date" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_DisputeUpdateRevisions_UpdateId_EditedAt",
                table: "DisputeUpdateRevisions",
                columns: new[] { "UpdateId", "EditedAt" });

            // A revision records what an update said before an edit: it is never rewritten. It goes only with its update.
            migrationBuilder.Sql("""
                CREATE TRIGGER dispute_update_revisions_unchanging BEFORE UPDATE ON "DisputeUpdateRevisions"
                    FOR EACH ROW EXECUTE FUNCTION refuse_row_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER dispute_update_revisions_unchanging ON "DisputeUpdateRevisions";""");

            migrationBuilder.DropTable(
                name: "BranchDigests");

            migrationBuilder.DropTable(
                name: "DisputeUpdateRevisions");

            migrationBuilder.DropIndex(
                name: "IX_SupportMessages_Status_CreatedAt",
                table: "SupportMessages");

            migrationBuilder.DropIndex(
                name: "IX_SupportMessages_Status_ModeratedAt",
                table: "SupportMessages");

            migrationBuilder.DropCheckConstraint(
                name: "ck_messages_moderated_when_decided",
                table: "SupportMessages");

            migrationBuilder.DropCheckConstraint(
                name: "ck_messages_rejection_has_reason",
                table: "SupportMessages");

            migrationBuilder.DropIndex(
                name: "IX_DisputeUpdates_ScheduledFor",
                table: "DisputeUpdates");

            migrationBuilder.DropCheckConstraint(
                name: "ck_updates_published_has_time",
                table: "DisputeUpdates");

            migrationBuilder.DropCheckConstraint(
                name: "ck_updates_scheduled_has_time",
                table: "DisputeUpdates");

            migrationBuilder.DropColumn(
                name: "ModeratedAt",
                table: "SupportMessages");

            migrationBuilder.DropColumn(
                name: "ModeratedByName",
                table: "SupportMessages");

            migrationBuilder.DropColumn(
                name: "ModeratedByUserId",
                table: "SupportMessages");

            migrationBuilder.DropColumn(
                name: "RejectionReason",
                table: "SupportMessages");

            migrationBuilder.DropColumn(
                name: "AnnouncesStatus",
                table: "DisputeUpdates");

            migrationBuilder.DropColumn(
                name: "CreatedAt",
                table: "DisputeUpdates");

            migrationBuilder.DropColumn(
                name: "EditedAt",
                table: "DisputeUpdates");

            migrationBuilder.DropColumn(
                name: "ScheduledFor",
                table: "DisputeUpdates");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "DisputeUpdates");

            migrationBuilder.DropColumn(
                name: "xmin",
                table: "DisputeUpdates");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "PublishedAt",
                table: "DisputeUpdates",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)),
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone",
                oldNullable: true);
        }
    }
}
