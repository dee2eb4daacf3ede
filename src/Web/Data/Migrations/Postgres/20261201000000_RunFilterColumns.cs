using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Tracker.Web.Data.Migrations.Postgres;

/// <summary>
/// The config fields the /runs filter language compares, promoted from the Config JSON to columns (filled for existing
/// runs from their JSON), the indexes the list sorts and filters by, and saved views. Written by hand (docs/decisions/0004).
/// </summary>
[DbContext(typeof(PostgresTrackerDbContext))]
[Migration("20261201000000_RunFilterColumns")]
public sealed class RunFilterColumns : Migration
{
    /// <summary>Column, PostgreSQL type, nullable, where the config JSON holds it (a jsonb path).</summary>
    private static readonly (string Column, string Type, bool Nullable, string JsonPath)[] ConfigColumns =
    [
        ("Lr", "double precision", false, "{lr}"),
        ("Epochs", "integer", false, "{epochs}"),
        ("BatchSize", "integer", false, "{batchSize}"),
        ("Seed", "integer", false, "{seed}"),
        ("Optimizer", "character varying(16)", false, "{optimizer}"),
        ("WeightDecay", "double precision", false, "{weightDecay}"),
        ("WarmupEpochs", "integer", false, "{warmupEpochs}"),
        ("LabelSmoothing", "double precision", false, "{labelSmoothing}"),
        ("DropoutRate", "double precision", false, "{dropout,rate}"),
        ("DropoutMode", "character varying(16)", false, "{dropout,mode}"),
        ("DropoutSchedule", "character varying(16)", false, "{dropout,schedule}"),
        ("DropoutCutoffEpoch", "integer", true, "{dropout,cutoffEpoch}"),
        ("DropPathRate", "double precision", false, "{dropPath,rate}"),
        ("DropPathMode", "character varying(16)", false, "{dropPath,mode}"),
        ("DropPathSchedule", "character varying(16)", false, "{dropPath,schedule}"),
        ("DropPathCutoffEpoch", "integer", true, "{dropPath,cutoffEpoch}"),
        ("RDropAlpha", "double precision", true, "{rDrop,alpha}"),
        ("DropConnectRate", "double precision", true, "{dropConnect,rate}"),
        ("L1", "double precision", false, "{l1}"),
        ("L2", "double precision", false, "{l2}"),
        ("TrainSubset", "integer", true, "{trainSubset}"),
    ];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        foreach (var (column, type, nullable, _) in ConfigColumns)
        {
            // NOT NULL columns need a default for the rows that exist (replaced below).
            switch (type)
            {
                case "character varying(16)":
                    migrationBuilder.AddColumn<string>(column, "Runs", type: type, maxLength: 16, nullable: false, defaultValue: "");
                    break;
                case "double precision":
                    migrationBuilder.AddColumn<double>(column, "Runs", type: type, nullable: nullable, defaultValue: nullable ? null : 0.0);
                    break;
                default:
                    migrationBuilder.AddColumn<int>(column, "Runs", type: type, nullable: nullable, defaultValue: nullable ? null : 0);
                    break;
            }
        }
        // Every config is stored by RunConfigJson, which writes every non-null field, so the JSON has them all.
        var assignments = ConfigColumns.Select(c => c.Nullable
            ? $"\"{c.Column}\" = (j.config #>> '{c.JsonPath}')::{c.Type}"
            : $"\"{c.Column}\" = COALESCE((j.config #>> '{c.JsonPath}')::{c.Type}, r.\"{c.Column}\")");
        migrationBuilder.Sql($"""
            UPDATE "Runs" AS r SET {string.Join(", ", assignments)}
            FROM (SELECT "Id", "Config"::jsonb AS config FROM "Runs") AS j
            WHERE r."Id" = j."Id";
            """);

        migrationBuilder.CreateTable(
            name: "SavedViews",
            columns: table => new
            {
                Id = table.Column<long>(type: "bigint", nullable: false).Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                Query = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_SavedViews", x => x.Id));

        migrationBuilder.CreateIndex("IX_SavedViews_Name", "SavedViews", "Name", unique: true);
        migrationBuilder.CreateIndex("IX_Runs_CreatedAt", "Runs", "CreatedAt");
        migrationBuilder.CreateIndex("IX_Runs_Model", "Runs", "Model");
        migrationBuilder.CreateIndex("IX_Runs_Method", "Runs", "Method");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex("IX_Runs_Method", "Runs");
        migrationBuilder.DropIndex("IX_Runs_Model", "Runs");
        migrationBuilder.DropIndex("IX_Runs_CreatedAt", "Runs");
        migrationBuilder.DropTable("SavedViews");
        foreach (var (column, _, _, _) in Enumerable.Reverse(ConfigColumns)) migrationBuilder.DropColumn(column, "Runs");
    }
}
