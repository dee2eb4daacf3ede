using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tracker.Web.Data.Configuration;

internal sealed class MetricPointConfiguration : IEntityTypeConfiguration<MetricPoint>
{
    public void Configure(EntityTypeBuilder<MetricPoint> point)
    {
        point.ToTable("MetricPoints");
        point.HasKey(p => p.Id);
        point.Property(p => p.Key).HasMaxLength(Limits.Key);
        // No navigation: points are written in bulk and read by run, never loaded with their run.
        point.HasOne<Run>().WithMany().HasForeignKey(p => p.RunId).OnDelete(DeleteBehavior.Cascade);
        // Every chart reads one run's key in step order; the index also serves the foreign key.
        point.HasIndex(p => new { p.RunId, p.Key, p.Step });
    }
}
