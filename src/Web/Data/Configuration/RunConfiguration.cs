using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tracker.Shared;

namespace Tracker.Web.Data.Configuration;

internal sealed class RunConfiguration : IEntityTypeConfiguration<Run>
{
    /// <summary>The name of the query filter that hides trashed runs; <c>IgnoreQueryFilters([TrashFilter])</c> sees them.</summary>
    public const string TrashFilter = "Trash";

    public void Configure(EntityTypeBuilder<Run> run)
    {
        // The config JSON (~1 KB a run) lives in its own table, so the scans behind a filtered count read only the
        // narrow columns; queries that never name Config never join it.
        run.ToTable("Runs").SplitToTable("RunConfigs", config =>
        {
            config.Property(r => r.Id).HasColumnName("RunId");
            config.Property(r => r.Config);
            config.Property(r => r.ScriptConfig);
        });
        run.HasKey(r => r.Id);
        // A run in the trash is gone for every list, page, comparison, share link and export: one filter here rather
        // than a condition in each query. Only the trash's own reads (RunTrash) ignore it (docs/decisions/0058).
        run.HasQueryFilter(TrashFilter, r => r.DeletedAt == null);

        run.Property(r => r.Name).HasMaxLength(Limits.Name);
        // RunConfig's records compare lists by reference, so changes are detected on the JSON text.
        run.Property(r => r.Config)
            .HasConversion(
                config => RunConfigJson.Serialize(config, false),
                json => RunConfigJson.Parse(json),
                new ValueComparer<RunConfig>(
                    (left, right) => RunConfigJson.Serialize(left!, false) == RunConfigJson.Serialize(right!, false),
                    config => RunConfigJson.Serialize(config, false).GetHashCode(StringComparison.Ordinal),
                    config => config));
        run.Property(r => r.Method).HasMaxLength(Limits.Name);
        run.Property(r => r.Model).HasMaxLength(Limits.Key);
        run.Property(r => r.Dataset).HasMaxLength(Limits.Key);
        run.Property(r => r.Status).HasConversion<string>().HasMaxLength(Limits.Enum);
        run.Property(r => r.Owner).HasMaxLength(Limits.Name);
        run.Property(r => r.ClientKey).HasMaxLength(Limits.Key);
        run.PrimitiveCollection(r => r.Tags);
        run.Property(r => r.SweepId).HasMaxLength(Limits.Key);
        run.Property(r => r.Optimizer).HasMaxLength(Limits.Enum);
        run.Property(r => r.DropoutMode).HasMaxLength(Limits.Enum);
        run.Property(r => r.DropoutSchedule).HasMaxLength(Limits.Enum);
        run.Property(r => r.DropPathMode).HasMaxLength(Limits.Enum);
        run.Property(r => r.DropPathSchedule).HasMaxLength(Limits.Enum);

        run.HasOne(r => r.Project).WithMany(p => p.Runs).HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
        // Deleting a parent keeps its fine-tuned children; they only lose the link.
        run.HasOne(r => r.ParentRun).WithMany().HasForeignKey(r => r.ParentRunId).OnDelete(DeleteBehavior.SetNull);

        // A project's runs, newest first: the default run list.
        run.HasIndex(r => new { r.ProjectId, r.CreatedAt });
        run.HasIndex(r => r.Status);
        run.HasIndex(r => r.SweepId);
        // The whole list, newest first (the /runs default), and the columns filters name most often.
        run.HasIndex(r => r.CreatedAt);
        run.HasIndex(r => r.Model);
        run.HasIndex(r => r.Method);
        // A script's run key names one run per owner: the index is what makes two concurrent creates with one key make
        // one run (the loser's insert fails and it reads the winner's). Runs without a key hold NULL, which never clashes.
        run.HasIndex(r => new { r.Owner, r.ClientKey }).IsUnique();
    }
}
