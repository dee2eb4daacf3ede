using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tracker.Web.Data.Configuration;

internal sealed class WorkerConfiguration : IEntityTypeConfiguration<Worker>
{
    public void Configure(EntityTypeBuilder<Worker> worker)
    {
        worker.ToTable("Workers");
        worker.HasKey(w => w.Id);
        worker.Property(w => w.Name).HasMaxLength(Limits.Key);
        worker.HasIndex(w => w.Name).IsUnique();
        worker.Property(w => w.Host).HasMaxLength(Limits.Name);
        worker.Property(w => w.State).HasConversion<string>().HasMaxLength(Limits.Enum);
        worker.Property(w => w.Version).HasMaxLength(Limits.Key);
        worker.Ignore(w => w.LeaseOwner);
    }
}
