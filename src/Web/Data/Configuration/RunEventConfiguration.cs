using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tracker.Web.Data.Configuration;

internal sealed class RunEventConfiguration : IEntityTypeConfiguration<RunEvent>
{
    public void Configure(EntityTypeBuilder<RunEvent> runEvent)
    {
        runEvent.ToTable("RunEvents");
        // The key is what makes a resent event a no-op, and it is the order every reader wants.
        runEvent.HasKey(e => new { e.RunId, e.Seq });
        runEvent.Property(e => e.Type).HasMaxLength(32);
        runEvent.HasOne<Run>().WithMany().HasForeignKey(e => e.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
