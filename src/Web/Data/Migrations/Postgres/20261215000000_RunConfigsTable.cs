using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tracker.Web.Data.Migrations.Postgres;

/// <summary>
/// Moves each run's config JSON (~1 KB) out of Runs into RunConfigs (entity splitting), so the scans behind a filtered
/// /runs count read only the narrow columns. Existing configs are copied unchanged. Written by hand (docs/decisions/0004).
/// </summary>
[DbContext(typeof(PostgresTrackerDbContext))]
[Migration("20261215000000_RunConfigsTable")]
public sealed class RunConfigsTable : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "RunConfigs",
            columns: table => new
            {
                RunId = table.Column<long>(type: "bigint", nullable: false),
                Config = table.Column<string>(type: "text", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_RunConfigs", x => x.RunId);
                table.ForeignKey("FK_RunConfigs_Runs_RunId", x => x.RunId, "Runs", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.Sql("""INSERT INTO "RunConfigs" ("RunId", "Config") SELECT "Id", "Config" FROM "Runs";""");
        migrationBuilder.DropColumn("Config", "Runs");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>("Config", "Runs", type: "text", nullable: false, defaultValue: "");
        migrationBuilder.Sql("""UPDATE "Runs" SET "Config" = (SELECT c."Config" FROM "RunConfigs" AS c WHERE c."RunId" = "Runs"."Id");""");
        migrationBuilder.DropTable("RunConfigs");
    }
}
