using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tracker.Web.Data.Configuration;

internal sealed class ShareLinkConfiguration : IEntityTypeConfiguration<ShareLink>
{
    public void Configure(EntityTypeBuilder<ShareLink> link)
    {
        link.ToTable("ShareLinks");
        link.HasKey(l => l.Id);
        link.Property(l => l.TokenHash).HasMaxLength(64);
        link.Property(l => l.TargetKind).HasConversion<string>().HasMaxLength(Limits.Enum);
        link.Property(l => l.Target).HasMaxLength(Limits.ShareTarget);
        link.Property(l => l.CreatedBy).HasMaxLength(Limits.Name);
        link.HasIndex(l => l.TokenHash).IsUnique();
    }
}
