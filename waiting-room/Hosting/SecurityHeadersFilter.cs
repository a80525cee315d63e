using Microsoft.AspNetCore.Http;

namespace YarpWaitingRoom.Hosting;

/// <summary>Which responses keep their headers as they are (<see cref="SecurityHeaders.UseSecurityHeaders"/>).</summary>
internal sealed record SecurityHeadersFilter(Func<HttpContext, bool>? Except);
