using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tracker.Web.Data.Migrations.Sqlite;

/// <summary>
/// The config fields the /runs filter language compares, promoted from the Config JSON to columns (filled for existing
/// runs from their JSON), the indexes the list sorts and filters by, and saved views. Written by hand (docs/decisions/0004).
/// </summary>
[DbContext(typeof(SqliteTrackerDbContext))]
[Migration("20261201000000_RunFilterColumns")]
public sealed class RunFilterColumns : Migration
{
    /// <summary>Column, SQLite type, nullable, where the config JSON holds it.</summary>
    private static readonly (string Column, string Type, bool Nullable, string JsonPath)[] ConfigColumns =
    [
        ("Lr", "REAL", false, "$.lr"),
        ("Epochs", "INTEGER", false, "$.epochs"),
        ("BatchSize", "INTEGER", false, "$.batchSize"),
        ("Seed", "INTEGER", false, "$.seed"),
        ("Optimizer", "TEXT", false, "$.optimizer"),
        ("WeightDecay", "REAL", false, "$.weightDecay"),
        ("WarmupEpochs", "INTEGER", false, "$.warmupEpochs"),
        ("LabelSmoothing", "REAL", false, "$.labelSmoothing"),
        ("DropoutRate", "REAL", false, "$.dropout.rate"),
        ("DropoutMode", "TEXT", false, "$.dropout.mode"),
        ("DropoutSchedule", "TEXT", false, "$.dropout.schedule"),
        ("DropoutCutoffEpoch", "INTEGER", true, "$.dropout.cutoffEpoch"),
        ("DropPathRate", "REAL", false, "$.dropPath.rate"),
        ("DropPathMode", "TEXT", false, "$.dropPath.mode"),
        ("DropPathSchedule", "TEXT", false, "$.dropPath.schedule"),
        ("DropPathCutoffEpoch", "INTEGER", true, "$.dropPath.cutoffEpoch"),
        ("RDropAlpha", "REAL", true, "$.rDrop.alpha"),
        ("DropConnectRate", "REAL", true, "$.dropConnect.rate"),
        ("L1", "REAL", false, "$.l1"),
        ("L2", "REAL", false, "$.l2"),
        ("TrainSubset", "INTEGER", true, "$.trainSubset"),
    ];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        foreach (var (column, type, nullable, _) in ConfigColumns)
        {
            // Strings get their enum's length; NOT NULL columns need a default for the rows that exist (replaced below).
            switch (type)
            {
                case "TEXT":
                    migrationBuilder.AddColumn<string>(column, "Runs", type: type, maxLength: 16, nullable: false, defaultValue: "");
                    break;
                case "REAL":
                    migrationBuilder.AddColumn<double>(column, "Runs", type: type, nullable: nullable, defaultValue: nullable ? null : 0.0);
                    break;
                default:
                    migrationBuilder.AddColumn<int>(column, "Runs", type: type, nullable: nullable, defaultValue: nullable ? null : 0);
                    break;
            }
        }
        // Every config is stored by RunConfigJson, which writes every non-null field, so the JSON has them all.
        var assignments = ConfigColumns.Select(c => c.Nullable
            ? $"\"{c.Column}\" = json_extract(\"Config\", '{c.JsonPath}')"
            : $"\"{c.Column}\" = COALESCE(json_extract(\"Config\", '{c.JsonPath}'), \"{c.Column}\")");
        migrationBuilder.Sql($"UPDATE \"Runs\" SET {string.Join(", ", assignments)};");

        migrationBuilder.CreateTable(
            name: "SavedViews",
            columns: table => new
            {
                Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                Query = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
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
