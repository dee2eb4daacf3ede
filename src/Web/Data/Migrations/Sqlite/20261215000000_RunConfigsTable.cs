using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tracker.Web.Data.Migrations.Sqlite;

/// <summary>
/// Moves each run's config JSON (~1 KB) out of Runs into RunConfigs (entity splitting), so the scans behind a filtered
/// /runs count read only the narrow columns. Existing configs are copied unchanged. Written by hand (docs/decisions/0004).
/// </summary>
[DbContext(typeof(SqliteTrackerDbContext))]
[Migration("20261215000000_RunConfigsTable")]
public sealed class RunConfigsTable : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "RunConfigs",
            columns: table => new
            {
                RunId = table.Column<long>(type: "INTEGER", nullable: false),
                Config = table.Column<string>(type: "TEXT", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_RunConfigs", x => x.RunId);
                table.ForeignKey("FK_RunConfigs_Runs_RunId", x => x.RunId, "Runs", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.Sql("""INSERT INTO "RunConfigs" ("RunId", "Config") SELECT "Id", "Config" FROM "Runs";""");
        // SQLite's own DROP COLUMN (3.35+) rewrites the rows in place and keeps Runs' indexes and foreign keys. EF's
        // DropColumn would need the target model these hand-written migrations do not carry (it throws without it), and
        // its table rebuild would drop and recreate Runs, which the tables pointing at it must not see.
        migrationBuilder.Sql("""ALTER TABLE "Runs" DROP COLUMN "Config";""");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>("Config", "Runs", type: "TEXT", nullable: false, defaultValue: "");
        migrationBuilder.Sql("""UPDATE "Runs" SET "Config" = (SELECT c."Config" FROM "RunConfigs" AS c WHERE c."RunId" = "Runs"."Id");""");
        migrationBuilder.DropTable("RunConfigs");
    }
}
