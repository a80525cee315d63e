using System.Globalization;

namespace YarpWaitingRoom.Bench;

/// <summary>The local stack's URLs, from the same <c>STACK_*_PORT</c> variables (and defaults) as <c>./stack</c>.</summary>
internal static class StackEndpoints
{
    public static Uri BackendA => Local("STACK_BACKEND_A_PORT", 5301);

    public static Uri InternalLoadBalancer => Local("STACK_INTERNAL_LB_PORT", 8090);

    private static Uri Local(string variable, int fallback)
    {
        var port = int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var configured)
            ? configured
            : fallback;
        return new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
    }
}
