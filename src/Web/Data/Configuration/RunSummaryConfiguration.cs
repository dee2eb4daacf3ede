using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tracker.Web.Data.Configuration;

internal sealed class RunSummaryConfiguration : IEntityTypeConfiguration<RunSummary>
{
    public void Configure(EntityTypeBuilder<RunSummary> summary)
    {
        summary.ToTable("RunSummaries");
        summary.HasKey(s => new { s.RunId, s.Key });
        summary.Property(s => s.Key).HasMaxLength(Limits.Key);
        summary.HasOne<Run>().WithMany(r => r.Summaries).HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
