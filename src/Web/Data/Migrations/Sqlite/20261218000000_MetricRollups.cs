using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tracker.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MetricRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MetricRollups",
                columns: table => new
                {
                    RunId = table.Column<long>(type: "INTEGER", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Span = table.Column<int>(type: "INTEGER", nullable: false),
                    Bucket = table.Column<long>(type: "INTEGER", nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false),
                    FirstStep = table.Column<long>(type: "INTEGER", nullable: false),
                    FirstEpoch = table.Column<int>(type: "INTEGER", nullable: false),
                    FirstValue = table.Column<double>(type: "REAL", nullable: false),
                    FirstTime = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastStep = table.Column<long>(type: "INTEGER", nullable: false),
                    LastEpoch = table.Column<int>(type: "INTEGER", nullable: false),
                    LastValue = table.Column<double>(type: "REAL", nullable: false),
                    LastTime = table.Column<DateTime>(type: "TEXT", nullable: false),
                    MinStep = table.Column<long>(type: "INTEGER", nullable: false),
                    MinEpoch = table.Column<int>(type: "INTEGER", nullable: false),
                    MinValue = table.Column<double>(type: "REAL", nullable: false),
                    MinTime = table.Column<DateTime>(type: "TEXT", nullable: false),
                    MaxStep = table.Column<long>(type: "INTEGER", nullable: false),
                    MaxEpoch = table.Column<int>(type: "INTEGER", nullable: false),
                    MaxValue = table.Column<double>(type: "REAL", nullable: false),
                    MaxTime = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MetricRollups", x => new { x.RunId, x.Key, x.Span, x.Bucket });
                    table.ForeignKey(
                        // The run's main table, as every other table's run key (EF names the split-off RunConfigs).
                        name: "FK_MetricRollups_Runs_RunId",
                        column: x => x.RunId,
                        principalTable: "Runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // No backfill here: a run recorded before gets its buckets when a chart first reads a long line of it
            // (RollupReads) or when it restarts (MetricWriter.TruncateAfterAsync), so the upgrade itself stays instant.
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MetricRollups");
        }
    }
}
