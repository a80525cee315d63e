using System.Text.Json.Serialization;

namespace YarpWaitingRoom.Proxy.Gate;

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(QueuedResponse))]
[JsonSerializable(typeof(TicketStatusResponse))]
[JsonSerializable(typeof(YarpWaitingRoom.Proxy.Endpoints.RoomView[]))]
[JsonSerializable(typeof(YarpWaitingRoom.Proxy.Endpoints.ModeChange))]
[JsonSerializable(typeof(YarpWaitingRoom.Proxy.Endpoints.TrafficView))]
[JsonSerializable(typeof(YarpWaitingRoom.Queue.RoomResetResult[]))]
internal sealed partial class ProxyJsonContext : JsonSerializerContext;
