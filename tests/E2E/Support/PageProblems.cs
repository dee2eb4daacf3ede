using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Tracker.E2E.Support;

/// <summary>What went wrong in a page as its user would never see it: console errors, script errors, failed loads.</summary>
public sealed class PageProblems
{
    private readonly ConcurrentQueue<string> _problems = new();

    public PageProblems(IPage page)
    {
        page.Console += (_, message) =>
        {
            if (message.Type == "error") _problems.Enqueue($"console error: {message.Text} ({message.Location})");
        };
        page.PageError += (_, error) => _problems.Enqueue($"uncaught: {error}");
        page.RequestFailed += (_, request) => _problems.Enqueue($"request failed: {request.Url} ({request.Failure})");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) _problems.Enqueue($"HTTP {response.Status}: {response.Url}");
        };
    }

    public IReadOnlyList<string> All => _problems.ToList();
}
