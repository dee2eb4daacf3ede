using Microsoft.AspNetCore.Identity;
using Tracker.Web.Data;

namespace Tracker.Web.Security;

/// <summary>Identity asks this before every sign-in (RequireConfirmedAccount): a disabled user is refused.</summary>
internal sealed class DisabledUserConfirmation : IUserConfirmation<TrackerUser>
{
    public Task<bool> IsConfirmedAsync(UserManager<TrackerUser> manager, TrackerUser user) => Task.FromResult(!user.Disabled);
}
