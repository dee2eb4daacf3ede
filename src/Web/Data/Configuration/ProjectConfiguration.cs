using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tracker.Web.Data.Configuration;

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> project)
    {
        project.ToTable("Projects");
        project.HasKey(p => p.Id);
        project.Property(p => p.Name).HasMaxLength(Limits.Name);
        project.HasIndex(p => p.Name).IsUnique();
    }
}
