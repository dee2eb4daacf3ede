using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data.Configuration;

namespace Tracker.Web.Data;

/// <summary>
/// The tracker's database. Abstract because each provider has its own derived context
/// (<see cref="SqliteTrackerDbContext"/>, <see cref="PostgresTrackerDbContext"/>), so that each keeps its own
/// migrations (docs/decisions/0004). The app resolves this base type; it never needs to know which one it got.
/// Identity's users, roles and claims live in the same database (docs/decisions/0030), keyed by <c>long</c>.
/// </summary>
public abstract class TrackerDbContext(DbContextOptions options) : IdentityDbContext<TrackerUser, IdentityRole<long>, long>(options)
{
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Run> Runs => Set<Run>();
    public DbSet<MetricPoint> MetricPoints => Set<MetricPoint>();
    public DbSet<RunSummary> RunSummaries => Set<RunSummary>();
    public DbSet<MetricRollup> MetricRollups => Set<MetricRollup>();
    public DbSet<RunEvent> RunEvents => Set<RunEvent>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<ShareLink> ShareLinks => Set<ShareLink>();
    public DbSet<SavedView> SavedViews => Set<SavedView>();
    public DbSet<Sweep> Sweeps => Set<Sweep>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Worker> Workers => Set<Worker>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfiguration(new ProjectConfiguration());
        modelBuilder.ApplyConfiguration(new RunConfiguration());
        modelBuilder.ApplyConfiguration(new MetricPointConfiguration());
        modelBuilder.ApplyConfiguration(new RunSummaryConfiguration());
        modelBuilder.ApplyConfiguration(new MetricRollupConfiguration());
        modelBuilder.ApplyConfiguration(new RunEventConfiguration());
        modelBuilder.ApplyConfiguration(new JobConfiguration());
        modelBuilder.ApplyConfiguration(new ShareLinkConfiguration());
        modelBuilder.ApplyConfiguration(new SavedViewConfiguration());
        modelBuilder.ApplyConfiguration(new SweepConfiguration());
        modelBuilder.ApplyConfiguration(new WebhookConfiguration());
        modelBuilder.ApplyConfiguration(new WebhookDeliveryConfiguration());
        modelBuilder.ApplyConfiguration(new TrackerUserConfiguration());
        modelBuilder.ApplyConfiguration(new ApiTokenConfiguration());
        modelBuilder.ApplyConfiguration(new AuditEntryConfiguration());
        modelBuilder.ApplyConfiguration(new WorkerConfiguration());
    }
}

/// <summary>The embedded default: one SQLite file (migrations in Data/Migrations/Sqlite).</summary>
public sealed class SqliteTrackerDbContext(DbContextOptions<SqliteTrackerDbContext> options) : TrackerDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite keeps DateTime as text without a kind; this makes it behave as PostgreSQL's timestamptz does.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }
}

/// <summary>A team server on PostgreSQL (migrations in Data/Migrations/Postgres).</summary>
public sealed class PostgresTrackerDbContext(DbContextOptions<PostgresTrackerDbContext> options) : TrackerDbContext(options);
