using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tracker.Web.Data;

namespace Tracker.Web.Extensions;

/// <summary>The database: SQLite by default, PostgreSQL by configuration; migrated before the app serves.</summary>
public static class DataExtensions
{
    public static WebApplicationBuilder AddTrackerData(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Both providers are registered and the options pick one when a context is first made, so the choice
        // follows the validated options (and any configuration a test host adds) rather than registration order.
        AddProvider<SqliteTrackerDbContext>(builder.Services, DatabaseProvider.Sqlite);
        AddProvider<PostgresTrackerDbContext>(builder.Services, DatabaseProvider.Postgres);
        builder.Services.AddSingleton<IDbContextFactory<TrackerDbContext>, TrackerDbContextFactory>();
        builder.Services.AddScoped<TrackerDbContext>(services => services.GetRequiredService<IDbContextFactory<TrackerDbContext>>().CreateDbContext());

        builder.Services.AddSingleton<MetricWriter>();
        builder.Services.AddSingleton<RunEventStore>();
        builder.Services.AddHostedService<DatabaseMigrator>();
        builder.Services.AddHostedService<SqliteCheckpointer>();
        return builder;
    }

    private static void AddProvider<TContext>(IServiceCollection services, DatabaseProvider provider) where TContext : TrackerDbContext =>
        services.AddDbContextFactory<TContext>((services, builder) =>
        {
            var options = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            if (options.Provider != provider)
                throw new InvalidOperationException($"{typeof(TContext).Name} is for {provider}, but the configured provider is {options.Provider}.");
            TrackerDatabase.Configure(builder, options, services.GetRequiredService<IHostEnvironment>().ContentRootPath);
            // Interceptors registered in the container (none by default) see every connection: the storage-outage
            // tests stop the database this way where a file permission cannot stop root.
            builder.AddInterceptors(services.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>());
        });
}
