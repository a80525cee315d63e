using Microsoft.AspNetCore.Http;

namespace YarpWaitingRoom.Hosting;

/// <summary>Adds <see cref="SecurityHeaders.All"/> as each response starts, unless the filter exempts it.</summary>
internal sealed class SecurityHeadersMiddleware
{
    private readonly RequestDelegate _next;
    private readonly Func<HttpContext, bool>? _except;
    private readonly Func<object, Task> _onStarting;

    public SecurityHeadersMiddleware(RequestDelegate next, SecurityHeadersFilter filter)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(filter);
        _next = next;
        _except = filter.Except;
        _onStarting = OnStarting;
    }

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(_onStarting, context);
        return _next(context);
    }

    private Task OnStarting(object state)
    {
        var context = (HttpContext)state;
        if (_except is null || !_except(context))
        {
            SecurityHeaders.AddTo(context.Response.Headers);
        }

        return Task.CompletedTask;
    }
}
