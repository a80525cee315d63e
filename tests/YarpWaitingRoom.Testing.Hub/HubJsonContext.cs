using System.Text.Json;
using System.Text.Json.Serialization;

namespace YarpWaitingRoom.Testing.Hub;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HubFrame))]
internal sealed partial class HubJsonContext : JsonSerializerContext;
