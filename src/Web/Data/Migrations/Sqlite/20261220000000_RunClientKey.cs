using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tracker.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RunClientKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ClientKey",
                table: "Runs",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Runs_Owner_ClientKey",
                table: "Runs",
                columns: new[] { "Owner", "ClientKey" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Runs_Owner_ClientKey",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "ClientKey",
                table: "Runs");
        }
    }
}
