using System.Text.Json.Serialization;

namespace YarpWaitingRoom.Proxy.Gate;

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(QueuedResponse))]
[JsonSerializable(typeof(TicketStatusResponse))]
internal sealed partial class ProxyJsonContext : JsonSerializerContext;
