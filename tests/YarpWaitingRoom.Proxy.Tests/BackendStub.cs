using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace YarpWaitingRoom.Proxy.Tests;

/// <summary>A real backend on a loopback port: records the visitor header of each request; <c>/api/confirm</c> answers with the end-session command; <c>/api/upload</c> reads the whole body.</summary>
public sealed class BackendStub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BackendStub(WebApplication app) => _app = app;

    public ConcurrentQueue<string?> Visitors { get; } = new();

    /// <summary>The query string of every <c>/api/echo</c> call, in order (what the proxy forwarded).</summary>
    public ConcurrentQueue<string> EchoQueries { get; } = new();

    public Uri Address { get; private set; } = null!;

    public static async Task<BackendStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new BackendStub(app);
        app.MapGet("/api/echo", (HttpContext context) =>
        {
            var visitor = context.Request.Headers["X-WaitingRoom-Visitor"].ToString();
            stub.Visitors.Enqueue(visitor);
            stub.EchoQueries.Enqueue(context.Request.QueryString.Value ?? string.Empty);
            return Results.Text("visitor=" + visitor);
        });
        app.MapPost("/api/upload", async (HttpRequest request) =>
        {
            var buffer = new byte[8192];
            long length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
            {
                length += read;
            }

            return Results.Text("length=" + length);
        });
        // Answers with X-WaitingRoom-Inventory set to the query's value(s), as a ticket API reports what is left.
        app.MapGet("/api/stock", (HttpContext context) =>
        {
            context.Response.Headers["X-WaitingRoom-Inventory"] = context.Request.Query["left"];
            return Results.Text("ok");
        });
        app.MapPost("/api/confirm", (HttpContext context) =>
        {
            stub.Visitors.Enqueue(context.Request.Headers["X-WaitingRoom-Visitor"].ToString());
            context.Response.Headers["X-WaitingRoom-Command"] = "end-session";
            return Results.Created("/api/reservations/1", new { id = 1 });
        });
        await app.StartAsync();
        stub.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
