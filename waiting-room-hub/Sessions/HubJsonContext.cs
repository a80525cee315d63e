using System.Text.Json;
using System.Text.Json.Serialization;

namespace YarpWaitingRoom.Hub.Sessions;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(PositionMessage))]
[JsonSerializable(typeof(PrequeueMessage))]
[JsonSerializable(typeof(SoldOutMessage))]
[JsonSerializable(typeof(RestockedMessage))]
[JsonSerializable(typeof(AdmittedMessage))]
[JsonSerializable(typeof(GoneMessage))]
[JsonSerializable(typeof(ClientMessage))]
internal sealed partial class HubJsonContext : JsonSerializerContext;
