using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Tracker.Web.Data;

/// <summary>
/// Stores only UTC times and reads them back as UTC. Npgsql already refuses a local or unspecified
/// DateTime for timestamptz; SQLite would store it silently and hand back an unspecified kind.
/// </summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    time => RequireUtc(time),
    time => DateTime.SpecifyKind(time, DateTimeKind.Utc))
{
    private static DateTime RequireUtc(DateTime time) =>
        time.Kind == DateTimeKind.Utc
            ? time
            : throw new ArgumentException($"Tracker stores UTC times only; got a DateTime of kind {time.Kind}. Use DateTime.UtcNow or ToUniversalTime().");
}
