using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;
using Tracker.Web.Security;

namespace Tracker.Web.Features.Views;

/// <summary>One saved /runs view: opening it is navigating to <see cref="Url"/>.</summary>
public sealed record SavedViewItem(long Id, string Name, string Query, string Url, DateTime Created);

/// <summary>What POST /api/views takes: a name and the /runs query string to keep under it.</summary>
public sealed record SaveViewRequest(string Name, string Query);

/// <summary>
/// Saved views of the runs list, for the /runs page and /api/views: each user's own (a view keeps the list's filters, order and
/// chosen columns), plus the views saved before views had owners, which everyone sees.
/// </summary>
public static class SavedViews
{
    public const int MaxNameLength = 200;
    public const int MaxQueryLength = 2000;

    /// <summary><paramref name="owner"/>'s views and the ones without an owner, by name.</summary>
    public static async Task<IReadOnlyList<SavedViewItem>> ListAsync(TrackerDbContext context, string? owner, CancellationToken cancellationToken)
    {
        var views = await Visible(context, owner).AsNoTracking().OrderBy(v => v.Name).ThenBy(v => v.Id).ToListAsync(cancellationToken);
        return views.Select(ToItem).ToList();
    }

    /// <summary>Why <paramref name="name"/> and <paramref name="query"/> cannot be saved; null when they can.</summary>
    public static string? Problem(string? name, string? query)
    {
        if (string.IsNullOrWhiteSpace(name)) return "Give the view a name.";
        if (name.Trim().Length > MaxNameLength) return $"A view's name has at most {MaxNameLength} characters.";
        if ((query ?? "").Length > MaxQueryLength) return $"A view's query string has at most {MaxQueryLength} characters.";
        if (Tracker.Shared.InputRules.HasControlCharacter(name) || Tracker.Shared.InputRules.HasControlCharacter(query))
            return Tracker.Shared.InputRules.ControlCharacterMessage;
        return null;
    }

    /// <summary>Saves the view as <paramref name="owner"/>'s; their view of the same name is replaced. Check <see cref="Problem"/> first.</summary>
    public static async Task<SavedViewItem> SaveAsync(TrackerDbContext context, string? owner, string name, string query, DateTime now,
        CancellationToken cancellationToken)
    {
        if (Problem(name, query) is { } problem) throw new ArgumentException(problem, nameof(name));
        name = name.Trim();
        query = query.TrimStart('?');
        var view = await context.SavedViews.FirstOrDefaultAsync(v => v.Owner == owner && v.Name == name, cancellationToken);
        if (view is null)
        {
            view = new SavedView { Name = name, Query = query, CreatedAt = now, Owner = owner };
            context.SavedViews.Add(view);
        }
        else
        {
            view.Query = query;
            view.CreatedAt = now;
        }
        await context.SaveChangesAsync(cancellationToken);
        return ToItem(view);
    }

    /// <summary>Deletes one of the views <paramref name="owner"/> sees; false when there is no such view for them.</summary>
    public static async Task<bool> DeleteAsync(TrackerDbContext context, string? owner, long id, CancellationToken cancellationToken) =>
        await Visible(context, owner).Where(v => v.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;

    private static IQueryable<SavedView> Visible(TrackerDbContext context, string? owner) =>
        context.SavedViews.Where(v => v.Owner == owner || v.Owner == null);

    /// <summary>/api/views: list, save (by name) and delete saved views of the runs list.</summary>
    public static RouteGroupBuilder MapViews(this RouteGroupBuilder api)
    {
        var views = api.MapGroup("/views").WithTags("Saved views");
        views.MapGet("/", async (TrackerDbContext context, ClaimsPrincipal user, CancellationToken cancellationToken) =>
                TypedResults.Ok(await ListAsync(context, TrackerClaims.NameOf(user), cancellationToken)))
            .WithName("ListViews").WithSummary("Your saved views of the runs list, by name")
            .WithDescription("Each of your views (and those saved before views had owners) with its name, its /runs query string and the URL that opens it.");
        views.MapPost("/", SaveEndpointAsync).WithName("SaveView")
            .WithSummary("Save a view")
            .WithDescription("query is the /runs query string (q, project, status, tag, method, archived, sort, desc, cols). Your view of the same name is replaced. "
                + "400 when the name is missing or either is too long.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        views.MapDelete("/{id:long}", async Task<Results<NoContent, ProblemHttpResult>> (long id, TrackerDbContext context, ClaimsPrincipal user,
                CancellationToken cancellationToken) =>
                await DeleteAsync(context, TrackerClaims.NameOf(user), id, cancellationToken)
                    ? TypedResults.NoContent()
                    : TypedResults.Problem(title: "No such view.", detail: $"There is no saved view {id}.", statusCode: StatusCodes.Status404NotFound))
            .WithName("DeleteView").WithSummary("Delete a saved view")
            .WithDescription("204 when the view was deleted, 404 when there is no such view of yours.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Results<Ok<SavedViewItem>, ProblemHttpResult>> SaveEndpointAsync(
        SaveViewRequest request, TrackerDbContext context, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (Problem(request.Name, request.Query) is { } problem)
            return TypedResults.Problem(title: "The view cannot be saved.", detail: problem, statusCode: StatusCodes.Status400BadRequest);
        return TypedResults.Ok(await SaveAsync(context, TrackerClaims.NameOf(user), request.Name, request.Query ?? "", DateTime.UtcNow, cancellationToken));
    }

    private static SavedViewItem ToItem(SavedView view) => new(view.Id, view.Name, view.Query, AppUrls.RunsWithQuery(view.Query), view.CreatedAt);
}
