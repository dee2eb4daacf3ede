namespace Tracker.Web.Data;

/// <summary>
/// A named /runs view: the page's query string (filter text, quick filters, sort), so opening it is navigating to
/// <c>/runs?{Query}</c>. Times are UTC.
/// </summary>
public sealed class SavedView
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The /runs query string without its leading '?', e.g. <c>q=model%20%3D%20mlp&amp;sort=name</c>.</summary>
    public required string Query { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The user whose view it is; null for a view saved before views had owners, which every user sees.</summary>
    public string? Owner { get; set; }
}
