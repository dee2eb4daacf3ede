using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tracker.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SavedViewOwner : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SavedViews_Name",
                table: "SavedViews");

            migrationBuilder.AddColumn<string>(
                name: "Owner",
                table: "SavedViews",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_SavedViews_Owner_Name",
                table: "SavedViews",
                columns: new[] { "Owner", "Name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SavedViews_Owner_Name",
                table: "SavedViews");

            migrationBuilder.DropColumn(
                name: "Owner",
                table: "SavedViews");

            migrationBuilder.CreateIndex(
                name: "IX_SavedViews_Name",
                table: "SavedViews",
                column: "Name",
                unique: true);
        }
    }
}
