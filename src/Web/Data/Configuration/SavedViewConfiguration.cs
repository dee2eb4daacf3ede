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
        // Saving under a name that exists replaces that view, so a name finds one view.
        view.HasIndex(v => v.Name).IsUnique();
    }
}
