using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tracker.Web.Data.Migrations.Sqlite
{
    /// <summary>
    /// MetricPoints keys become plain rowids instead of AUTOINCREMENT (docs/decisions/0072). SQLite cannot alter a
    /// column, so the table is rebuilt with its rows and ids. Written out, not EF's scaffolded rebuild: that one points
    /// the foreign key at RunConfigs, the table the Run entity is split into, instead of Runs.
    /// </summary>
    public partial class MetricPointsRowid : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => Rebuild(migrationBuilder, autoincrement: false);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => Rebuild(migrationBuilder, autoincrement: true);

        private static void Rebuild(MigrationBuilder migrationBuilder, bool autoincrement)
        {
            migrationBuilder.CreateTable(
                name: "ef_temp_MetricPoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", autoincrement),
                    RunId = table.Column<long>(type: "INTEGER", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Step = table.Column<long>(type: "INTEGER", nullable: false),
                    Epoch = table.Column<int>(type: "INTEGER", nullable: false),
                    Value = table.Column<double>(type: "REAL", nullable: false),
                    Time = table.Column<DateTime>(type: "TEXT", nullable: false),
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MetricPoints", x => x.Id);
                    table.ForeignKey("FK_MetricPoints_Runs_RunId", x => x.RunId, "Runs", "Id", onDelete: ReferentialAction.Cascade);
                });
            migrationBuilder.Sql("""
                INSERT INTO "ef_temp_MetricPoints" ("Id", "RunId", "Key", "Step", "Epoch", "Value", "Time")
                SELECT "Id", "RunId", "Key", "Step", "Epoch", "Value", "Time" FROM "MetricPoints";
                """);
            // As EF's own rebuilds do: without the per-row checks of dropping a table under foreign keys.
            migrationBuilder.Sql("PRAGMA foreign_keys = 0;", suppressTransaction: true);
            migrationBuilder.DropTable(name: "MetricPoints");
            migrationBuilder.RenameTable(name: "ef_temp_MetricPoints", newName: "MetricPoints");
            migrationBuilder.Sql("PRAGMA foreign_keys = 1;", suppressTransaction: true);
            migrationBuilder.CreateIndex("IX_MetricPoints_RunId_Key_Step", "MetricPoints", ["RunId", "Key", "Step"]);
        }
    }
}
