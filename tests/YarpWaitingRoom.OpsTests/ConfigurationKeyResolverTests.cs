using YarpWaitingRoom.OpsTests.Configuration;

namespace YarpWaitingRoom.OpsTests;

/// <summary>
/// The resolver behind the compose check: real keys resolve, misspelt or misplaced ones do not, so the compose test
/// cannot pass by accepting everything.
/// </summary>
public class ConfigurationKeyResolverTests
{
    [Theory]
    [InlineData("proxy", "WaitingRoom__Rooms__concert__MaxActive", typeof(int))]
    [InlineData("proxy", "waitingroom__rooms__concert__admitinterval", typeof(TimeSpan))]
    [InlineData("proxy", "WaitingRoom__Rooms__another-room__Mode", typeof(YarpWaitingRoom.Options.RoomMode))]
    [InlineData("proxy", "WaitingRoom__SigningKeys__k2", typeof(string))]
    [InlineData("proxy", "WaitingRoom__Gate__TrustedProxies__0", typeof(string))]
    [InlineData("proxy", "WaitingRoom__Gate__BreakerOpenFor", typeof(TimeSpan))]
    [InlineData("proxy", "WaitingRoom__RateLimits__JoinPerSecond", typeof(int))]
    [InlineData("proxy", "ConnectionStrings__Redis", typeof(string))]
    [InlineData("proxy", "ReverseProxy__Clusters__reservation__Destinations__internal-lb__Address", typeof(string))]
    [InlineData("proxy", "ReverseProxy__Routes__reservation-api__Match__Path", typeof(string))]
    [InlineData("proxy", "AllowedHosts", typeof(string))]
    [InlineData("socket-hub", "SocketHub__PushInterval", typeof(TimeSpan))]
    [InlineData("socket-hub", "WaitingRoom__Rooms__concert__HeartbeatInterval", typeof(TimeSpan))]
    [InlineData("backend-reservation", "Reservation__InstanceName", typeof(string))]
    [InlineData("backend-reservation", "Reservation__WaitingRoomEvents__Rooms__0", typeof(string))]
    [InlineData("backend-reservation", "Reservation__Holds__Duration", typeof(TimeSpan))]
    [InlineData("backend-reservation", "ConnectionStrings__Reservations", typeof(string))]
    public void Resolve_KeyOfAnOptionTheServiceReads_ResolvesToThePropertyType(string project, string variable, Type expected)
    {
        var sut = new ConfigurationKeyResolver(ServiceConfiguration.Of(project));

        var resolution = sut.Resolve(variable);

        Assert.True(resolution.IsValid, resolution.Description);
        Assert.Equal(expected, resolution.ValueType);
    }

    [Theory]
    [InlineData("proxy", "WaitingRoom__Rooms__concert__MaxActiv")]             // misspelt property
    [InlineData("proxy", "WaitingRoom__Rooms__concert")]                       // a section, not a value
    [InlineData("proxy", "WaitingRoom__AdminKey__Extra")]                      // below a value
    [InlineData("proxy", "WaitingRoom__Gate__TrustedProxies__first")]          // a list takes indexes
    [InlineData("proxy", "WaitingRoom__Gates__RedisTimeout")]                  // no such section
    [InlineData("proxy", "WaitingRoom_AdminKey")]                              // one underscore: a top-level key nobody reads
    [InlineData("proxy", "SocketHub__InstanceName")]                           // the hub's option, not the proxy's
    [InlineData("proxy", "ConnectionStrings__Reservations")]                   // the backend's connection string
    [InlineData("proxy", "ReverseProxy__Clusters__reservations__Destinations__internal-lb__Address")] // no such cluster
    [InlineData("proxy", "ReverseProxy__Clusters__reservation__Destinations__internal-lb__Adress")]   // misspelt
    [InlineData("proxy", "ReverseProxy__Routes__api__Match__Path")]            // no such route
    [InlineData("socket-hub", "WaitingRoom__Gate__RedisTimeout")]              // the proxy's gate, not bound by the hub
    [InlineData("socket-hub", "ReverseProxy__Clusters__reservation__Destinations__internal-lb__Address")] // no YARP in the hub
    [InlineData("backend-reservation", "WaitingRoom__AdminKey")]               // the backend binds no WaitingRoom options
    [InlineData("backend-reservation", "Reservation__Instance")]               // misspelt direct key
    [InlineData("backend-reservation", "Reservation__Holds__Duraton")]         // misspelt property
    public void Resolve_KeyNothingReads_IsRejectedWithTheReason(string project, string variable)
    {
        var sut = new ConfigurationKeyResolver(ServiceConfiguration.Of(project));

        var resolution = sut.Resolve(variable);

        Assert.False(resolution.IsValid, $"{variable} resolved to {resolution.Description}");
        Assert.NotEmpty(resolution.Description);
    }

    [Theory]
    [InlineData("WaitingRoom__Rooms__concert__MaxActive", "5000", true)]
    [InlineData("WaitingRoom__Rooms__concert__MaxActive", "lots", false)]
    [InlineData("WaitingRoom__Rooms__concert__AdmitInterval", "00:00:02", true)]
    [InlineData("WaitingRoom__Rooms__concert__AdmitInterval", "2s", false)]
    [InlineData("WaitingRoom__Rooms__concert__Mode", "paused", true)]
    [InlineData("WaitingRoom__Rooms__concert__Mode", "Sometimes", false)]
    [InlineData("WaitingRoom__SecureCookies", "false", true)]
    [InlineData("WaitingRoom__SecureCookies", "no", false)]
    public void Converts_ValueForTheResolvedProperty_AsTheBinderWould(string variable, string value, bool expected)
    {
        var resolution = new ConfigurationKeyResolver(ServiceConfiguration.Of("proxy")).Resolve(variable);
        Assert.True(resolution.IsValid, resolution.Description);

        var converts = ConfigurationKeyResolver.Converts(value, resolution.ValueType!, out var error);

        Assert.True(expected == converts, error ?? $"'{value}' converted to {resolution.ValueType}");
    }

    [Fact]
    public void Of_EachService_FindsTheOptionsItBindsInItsCode()
    {
        var proxy = ServiceConfiguration.Of("proxy");
        var hub = ServiceConfiguration.Of("socket-hub");
        var backend = ServiceConfiguration.Of("backend-reservation");

        Assert.Equal(["WaitingRoom", "WaitingRoom:Gate", "WaitingRoom:RateLimits"], proxy.OptionSections.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["SocketHub", "WaitingRoom", "WaitingRoom:RateLimits"], hub.OptionSections.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["Reservation:Admin", "Reservation:Database", "Reservation:Holds", "Reservation:Inventory", "Reservation:WaitingRoomEvents"], backend.OptionSections.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["Redis"], proxy.ConnectionStrings);
        Assert.Equal(["Redis", "Reservations"], backend.ConnectionStrings.Order(StringComparer.Ordinal));
        Assert.Contains("Reservation:InstanceName", backend.DirectKeys);
        Assert.NotNull(proxy.ReverseProxy);
        Assert.Null(hub.ReverseProxy);
    }
}
