using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tracker.Web.Data.Configuration;

internal sealed class MetricRollupConfiguration : IEntityTypeConfiguration<MetricRollup>
{
    public void Configure(EntityTypeBuilder<MetricRollup> rollup)
    {
        rollup.ToTable("MetricRollups");
        // The key is the read order: one run's key at one span, bucket after bucket.
        rollup.HasKey(r => new { r.RunId, r.Key, r.Span, r.Bucket });
        rollup.Property(r => r.Key).HasMaxLength(Limits.Key);
        rollup.HasOne<Run>().WithMany().HasForeignKey(r => r.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
