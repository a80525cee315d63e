using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace YarpWaitingRoom.Bench;

/// <summary>A Kestrel host in the bench process on a free loopback port that answers every GET with 200 "ok".</summary>
internal sealed class BackendStub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BackendStub(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<BackendStub> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.MapGet("/{**path}", () => TypedResults.Text("ok"));
        await app.StartAsync(cancellationToken);

        // Once started, Urls holds the port Kestrel bound.
        return new BackendStub(app, new Uri(app.Urls.First()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
