using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tracker.Web.Data.Configuration;

internal sealed class SweepConfiguration : IEntityTypeConfiguration<Sweep>
{
    public void Configure(EntityTypeBuilder<Sweep> sweep)
    {
        sweep.ToTable("Sweeps");
        sweep.HasKey(s => s.Id);
        sweep.Property(s => s.Id).HasMaxLength(Limits.Key);
        sweep.Property(s => s.Kind).HasMaxLength(Limits.Enum);
        sweep.Property(s => s.EarlyStopMetric).HasMaxLength(Limits.Key);
    }
}

internal sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> webhook)
    {
        webhook.ToTable("Webhooks");
        webhook.HasKey(w => w.Id);
        webhook.Property(w => w.Url).HasMaxLength(Limits.ShareTarget);
        webhook.Property(w => w.Secret).HasMaxLength(Limits.Name);
        webhook.PrimitiveCollection(w => w.Events);
        webhook.HasOne(w => w.Project).WithMany().HasForeignKey(w => w.ProjectId).OnDelete(DeleteBehavior.Cascade);
        webhook.HasIndex(w => w.ProjectId);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> delivery)
    {
        delivery.ToTable("WebhookDeliveries");
        delivery.HasKey(d => d.Id);
        delivery.Property(d => d.Event).HasMaxLength(Limits.Enum);
        delivery.HasOne(d => d.Webhook).WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
        delivery.HasOne(d => d.Run).WithMany().HasForeignKey(d => d.RunId).OnDelete(DeleteBehavior.Cascade);
        // The run page lists a run's deliveries; the sender looks for pending ones.
        delivery.HasIndex(d => d.RunId);
        delivery.HasIndex(d => new { d.Done, d.NextAttemptAt });
    }
}
