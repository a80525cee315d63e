using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace YarpWaitingRoom.Packages.Tests;

/// <summary>
/// The gateway's upstream, in the test process on a loopback port: answers every request with 200 and
/// <c>upstream saw &lt;path&gt;</c>, and records what it saw (path, query, the visitor header). A request whose path ends
/// in <c>/end-session</c> is answered with <c>X-WaitingRoom-Command: end-session</c>, as a backend does after a purchase.
/// </summary>
public sealed class UpstreamStub : IAsyncDisposable
{
    public const string EndSessionSuffix = "/end-session";

    private readonly WebApplication _app;

    private UpstreamStub(WebApplication app) => _app = app;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public Uri Address { get; private set; } = null!;

    public static async Task<UpstreamStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new UpstreamStub(app);
        app.Run(context =>
        {
            var request = context.Request;
            stub.Requests.Enqueue(new SeenRequest(
                request.Path + request.QueryString,
                request.Headers.TryGetValue("X-WaitingRoom-Visitor", out var visitor) ? visitor.ToString() : null));
            if (request.Path.Value!.EndsWith(EndSessionSuffix, StringComparison.Ordinal))
            {
                context.Response.Headers["X-WaitingRoom-Command"] = "end-session";
            }

            return context.Response.WriteAsync("upstream saw " + request.Path, context.RequestAborted);
        });
        await app.StartAsync();
        stub.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return stub;
    }

    /// <summary>The requests the upstream saw whose path and query contain <paramref name="marker"/>.</summary>
    public IReadOnlyList<SeenRequest> Saw(string marker) =>
        [.. Requests.Where(r => r.PathAndQuery.Contains(marker, StringComparison.Ordinal))];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>One request as the upstream saw it.</summary>
    public sealed record SeenRequest(string PathAndQuery, string? Visitor);
}
