using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Tracker.Web.Data.Migrations.Sqlite;

/// <summary>The first schema on SQLite. Written by hand (docs/decisions/0004); the schema tests check it against the model.</summary>
[DbContext(typeof(SqliteTrackerDbContext))]
[Migration("20261122000000_Initial")]
public sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Projects",
            columns: table => new
            {
                Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                Description = table.Column<string>(type: "TEXT", nullable: true),
                CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Projects", x => x.Id));

        migrationBuilder.CreateTable(
            name: "Runs",
            columns: table => new
            {
                Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                ProjectId = table.Column<long>(type: "INTEGER", nullable: false),
                Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                Config = table.Column<string>(type: "TEXT", nullable: false),
                Method = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                Model = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                Dataset = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                Owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                Tags = table.Column<string>(type: "TEXT", nullable: false),
                Notes = table.Column<string>(type: "TEXT", nullable: true),
                ParentRunId = table.Column<long>(type: "INTEGER", nullable: true),
                SweepId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                StartedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                Error = table.Column<string>(type: "TEXT", nullable: true),
                EpochsCompleted = table.Column<int>(type: "INTEGER", nullable: false),
                Progress = table.Column<double>(type: "REAL", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Runs", x => x.Id);
                table.ForeignKey("FK_Runs_Projects_ProjectId", x => x.ProjectId, "Projects", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_Runs_Runs_ParentRunId", x => x.ParentRunId, "Runs", "Id", onDelete: ReferentialAction.SetNull);
            });

        migrationBuilder.CreateTable(
            name: "MetricPoints",
            columns: table => new
            {
                Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
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

        migrationBuilder.CreateTable(
            name: "RunSummaries",
            columns: table => new
            {
                RunId = table.Column<long>(type: "INTEGER", nullable: false),
                Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                Last = table.Column<double>(type: "REAL", nullable: false),
                LastStep = table.Column<long>(type: "INTEGER", nullable: false),
                Min = table.Column<double>(type: "REAL", nullable: false),
                Max = table.Column<double>(type: "REAL", nullable: false),
                Count = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_RunSummaries", x => new { x.RunId, x.Key });
                table.ForeignKey("FK_RunSummaries_Runs_RunId", x => x.RunId, "Runs", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "Jobs",
            columns: table => new
            {
                Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                RunId = table.Column<long>(type: "INTEGER", nullable: false),
                Priority = table.Column<int>(type: "INTEGER", nullable: false),
                State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                LeaseOwner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                LeaseExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                HeartbeatAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                EnqueuedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Jobs", x => x.Id);
                table.ForeignKey("FK_Jobs_Runs_RunId", x => x.RunId, "Runs", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "ShareLinks",
            columns: table => new
            {
                Id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                TokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                TargetKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                Target = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                RevokedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_ShareLinks", x => x.Id));

        migrationBuilder.CreateIndex("IX_Projects_Name", "Projects", "Name", unique: true);
        migrationBuilder.CreateIndex("IX_Runs_ProjectId_CreatedAt", "Runs", ["ProjectId", "CreatedAt"]);
        migrationBuilder.CreateIndex("IX_Runs_ParentRunId", "Runs", "ParentRunId");
        migrationBuilder.CreateIndex("IX_Runs_Status", "Runs", "Status");
        migrationBuilder.CreateIndex("IX_Runs_SweepId", "Runs", "SweepId");
        migrationBuilder.CreateIndex("IX_MetricPoints_RunId_Key_Step", "MetricPoints", ["RunId", "Key", "Step"]);
        migrationBuilder.CreateIndex("IX_Jobs_RunId", "Jobs", "RunId", unique: true);
        migrationBuilder.CreateIndex("IX_Jobs_State_Priority_EnqueuedAt", "Jobs", ["State", "Priority", "EnqueuedAt"]);
        migrationBuilder.CreateIndex("IX_ShareLinks_TokenHash", "ShareLinks", "TokenHash", unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("ShareLinks");
        migrationBuilder.DropTable("Jobs");
        migrationBuilder.DropTable("RunSummaries");
        migrationBuilder.DropTable("MetricPoints");
        migrationBuilder.DropTable("Runs");
        migrationBuilder.DropTable("Projects");
    }
}
