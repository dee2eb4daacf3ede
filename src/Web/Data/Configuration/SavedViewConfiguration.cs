using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tracker.Web.Data.Configuration;

internal sealed class SavedViewConfiguration : IEntityTypeConfiguration<SavedView>
{
    public void Configure(EntityTypeBuilder<SavedView> view)
    {
        view.ToTable("SavedViews");
        view.HasKey(v => v.Id);
        view.Property(v => v.Name).HasMaxLength(Limits.Name);
        view.Property(v => v.Query).HasMaxLength(Limits.ShareTarget);
        view.Property(v => v.Owner).HasMaxLength(Limits.Name);
        // Saving under a name the user already has replaces that view, so a user's name finds one view.
        view.HasIndex(v => new { v.Owner, v.Name }).IsUnique();
    }
}
