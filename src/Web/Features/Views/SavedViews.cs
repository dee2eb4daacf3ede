using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Views;

/// <summary>One saved /runs view: opening it is navigating to <see cref="Url"/>.</summary>
public sealed record SavedViewItem(long Id, string Name, string Query, string Url, DateTime Created);

/// <summary>What POST /api/views takes: a name and the /runs query string to keep under it.</summary>
public sealed record SaveViewRequest(string Name, string Query);

/// <summary>Saved views of the runs list, for the /runs page and /api/views.</summary>
public static class SavedViews
{
    public const int MaxNameLength = 200;
    public const int MaxQueryLength = 2000;

    public static async Task<IReadOnlyList<SavedViewItem>> ListAsync(TrackerDbContext context, CancellationToken cancellationToken)
    {
        var views = await context.SavedViews.AsNoTracking().OrderBy(v => v.Name).ToListAsync(cancellationToken);
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

    /// <summary>Saves the view; one saved under the same name is replaced. Check <see cref="Problem"/> first.</summary>
    public static async Task<SavedViewItem> SaveAsync(TrackerDbContext context, string name, string query, DateTime now, CancellationToken cancellationToken)
    {
        if (Problem(name, query) is { } problem) throw new ArgumentException(problem, nameof(name));
        name = name.Trim();
        query = query.TrimStart('?');
        var view = await context.SavedViews.FirstOrDefaultAsync(v => v.Name == name, cancellationToken);
        if (view is null)
        {
            view = new SavedView { Name = name, Query = query, CreatedAt = now };
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

    public static async Task<bool> DeleteAsync(TrackerDbContext context, long id, CancellationToken cancellationToken) =>
        await context.SavedViews.Where(v => v.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;

    /// <summary>/api/views: list, save (by name) and delete saved views of the runs list.</summary>
    public static RouteGroupBuilder MapViews(this RouteGroupBuilder api)
    {
        var views = api.MapGroup("/views").WithTags("Saved views");
        views.MapGet("/", async (TrackerDbContext context, CancellationToken cancellationToken) => TypedResults.Ok(await ListAsync(context, cancellationToken)))
            .WithName("ListViews").WithSummary("Saved views of the runs list, by name")
            .WithDescription("Each view with its name, its /runs query string and the URL that opens it.");
        views.MapPost("/", SaveEndpointAsync).WithName("SaveView")
            .WithSummary("Save a view")
            .WithDescription("query is the /runs query string (q, project, status, tag, method, sort, desc). A view of the same name is replaced. "
                + "400 when the name is missing or either is too long.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        views.MapDelete("/{id:long}", async Task<Results<NoContent, ProblemHttpResult>> (long id, TrackerDbContext context, CancellationToken cancellationToken) =>
                await DeleteAsync(context, id, cancellationToken)
                    ? TypedResults.NoContent()
                    : TypedResults.Problem(title: "No such view.", detail: $"There is no saved view {id}.", statusCode: StatusCodes.Status404NotFound))
            .WithName("DeleteView").WithSummary("Delete a saved view")
            .WithDescription("204 when the view was deleted, 404 when there is no such view.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Results<Ok<SavedViewItem>, ProblemHttpResult>> SaveEndpointAsync(
        SaveViewRequest request, TrackerDbContext context, CancellationToken cancellationToken)
    {
        if (Problem(request.Name, request.Query) is { } problem)
            return TypedResults.Problem(title: "The view cannot be saved.", detail: problem, statusCode: StatusCodes.Status400BadRequest);
        return TypedResults.Ok(await SaveAsync(context, request.Name, request.Query ?? "", DateTime.UtcNow, cancellationToken));
    }

    private static SavedViewItem ToItem(SavedView view) => new(view.Id, view.Name, view.Query, AppUrls.RunsWithQuery(view.Query), view.CreatedAt);
}
