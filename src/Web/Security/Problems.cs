namespace Tracker.Web.Security;

/// <summary>Writes a ProblemDetails answer from middleware and handlers that have no endpoint result to return.</summary>
public static class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Response.HasStarted) return Task.CompletedTask;
        context.Response.StatusCode = status;
        return TypedResults.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);
    }
}
