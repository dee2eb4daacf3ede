using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tracker.Web.Data.Configuration;

internal sealed class TrackerUserConfiguration : IEntityTypeConfiguration<TrackerUser>
{
    // Identity's own configuration (IdentityDbContext) names the tables and keys; only the added columns are here.
    public void Configure(EntityTypeBuilder<TrackerUser> user) => user.Property(u => u.Disabled).HasDefaultValue(false);
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> token)
    {
        token.ToTable("ApiTokens");
        token.HasKey(t => t.Id);
        token.Property(t => t.Name).HasMaxLength(Limits.Name);
        token.Property(t => t.Scope).HasConversion<string>().HasMaxLength(Limits.Enum);
        token.Property(t => t.TokenHash).HasMaxLength(64);
        token.HasIndex(t => t.TokenHash).IsUnique();
        token.HasOne(t => t.User).WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entry)
    {
        entry.ToTable("AuditEntries");
        entry.HasKey(e => e.Id);
        entry.Property(e => e.Actor).HasMaxLength(Limits.Name);
        entry.Property(e => e.Action).HasMaxLength(Limits.Key);
        entry.Property(e => e.Target).HasMaxLength(Limits.ShareTarget);
        entry.HasIndex(e => e.At);
    }
}
