using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tracker.Web.Data.Configuration;

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> job)
    {
        job.ToTable("Jobs");
        job.HasKey(j => j.Id);
        job.Property(j => j.State).HasConversion<string>().HasMaxLength(Limits.Enum);
        job.Property(j => j.LeaseOwner).HasMaxLength(Limits.Name);
        // A run has one queue entry; a retry or a resume claims the same job again.
        job.HasOne(j => j.Run).WithOne().HasForeignKey<Job>(j => j.RunId).OnDelete(DeleteBehavior.Cascade);
        job.HasIndex(j => j.RunId).IsUnique();
        // The claim query: queued jobs by priority, then oldest first.
        job.HasIndex(j => new { j.State, j.Priority, j.EnqueuedAt });
    }
}
