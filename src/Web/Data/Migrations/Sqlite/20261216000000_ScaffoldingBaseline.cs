using Microsoft.EntityFrameworkCore.Migrations;

namespace Tracker.Web.Data.Migrations.Sqlite;

/// <summary>
/// Changes nothing: the hand-written migrations before it built the schema. It was scaffolded only to
/// add the model snapshot, so that later migrations are scaffolded by dotnet ef (docs/decisions/0004).
/// </summary>
public partial class ScaffoldingBaseline : Migration
{
    /// <inheritdoc />
    protected override void Up(MigrationBuilder migrationBuilder)
    {
    }

    /// <inheritdoc />
    protected override void Down(MigrationBuilder migrationBuilder)
    {
    }
}
