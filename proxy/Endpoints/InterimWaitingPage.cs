using System.Net;

namespace YarpWaitingRoom.Proxy.Endpoints;

/// <summary>A minimal waiting page that polls the ticket endpoint every few seconds (until the socket hub serves the real one).</summary>
internal static class InterimWaitingPage
{
    public static string Render(string room, string ticket, string returnUrl)
    {
        var r = WebUtility.HtmlEncode(room);
        var statusUrl = WebUtility.HtmlEncode($"/_wr/rooms/{Uri.EscapeDataString(room)}/tickets/{Uri.EscapeDataString(ticket)}");
        var back = WebUtility.HtmlEncode(returnUrl);
        return $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <noscript><meta http-equiv="refresh" content="10"></noscript>
              <title>Waiting room · {{r}}</title>
              <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}#position{font-size:3rem;font-weight:700}</style>
            </head>
            <body>
              <h1>You are in line</h1>
              <p>Your place: <span id="position" aria-live="polite">…</span></p>
              <p id="status" aria-live="polite">Checking…</p>
              <script>
                const statusUrl = "{{statusUrl}}".replaceAll("&amp;", "&");
                const back = "{{back}}".replaceAll("&amp;", "&");
                async function poll() {
                  try {
                    const res = await fetch(statusUrl, { headers: { accept: "application/json" } });
                    if (!res.ok) { document.getElementById("status").textContent = "Your ticket is not valid."; return; }
                    const s = await res.json();
                    if (s.state === "active" && s.enterUrl) { location.href = s.enterUrl + "&return=" + encodeURIComponent(back); return; }
                    if (s.state === "gone") { document.getElementById("status").textContent = "Your place has lapsed. Reload the page you wanted to join again."; return; }
                    document.getElementById("position").textContent = s.position;
                    document.getElementById("status").textContent = "Please keep this page open.";
                  } catch { document.getElementById("status").textContent = "Reconnecting…"; }
                  setTimeout(poll, 3000);
                }
                poll();
              </script>
            </body>
            </html>
            """;
    }
}
