using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tracker.Web.Data.Configuration;

internal sealed class MetricPointConfiguration : IEntityTypeConfiguration<MetricPoint>
{
    public void Configure(EntityTypeBuilder<MetricPoint> point)
    {
        point.ToTable("MetricPoints");
        point.HasKey(p => p.Id);
        // SQLite: a plain rowid key, not AUTOINCREMENT, which reads and rewrites sqlite_sequence on every insert (about
        // a sixth of a point's insert time; docs/decisions/0072). A rowid is reused only after the highest rows were
        // deleted, so ids still order each run's points by when they were stored.
        point.Property(p => p.Id).Metadata.SetValueGenerationStrategy(SqliteValueGenerationStrategy.None);
        point.Property(p => p.Key).HasMaxLength(Limits.Key);
        // No navigation: points are written in bulk and read by run, never loaded with their run.
        point.HasOne<Run>().WithMany().HasForeignKey(p => p.RunId).OnDelete(DeleteBehavior.Cascade);
        // Every chart reads one run's key in step order; the index also serves the foreign key.
        point.HasIndex(p => new { p.RunId, p.Key, p.Step });
    }
}
