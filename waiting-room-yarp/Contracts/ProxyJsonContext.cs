using System.Text.Json.Serialization;

namespace YarpWaitingRoom.Yarp.Contracts;

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(QueuedResponse))]
[JsonSerializable(typeof(TicketStatusResponse))]
[JsonSerializable(typeof(RoomView[]))]
[JsonSerializable(typeof(ModeChange))]
[JsonSerializable(typeof(EventRequest))]
[JsonSerializable(typeof(EventView))]
[JsonSerializable(typeof(InventoryRequest))]
[JsonSerializable(typeof(InventoryDocument))]
[JsonSerializable(typeof(ChallengeSetting))]
[JsonSerializable(typeof(ChallengedResponse))]
[JsonSerializable(typeof(TrafficView))]
[JsonSerializable(typeof(ConsoleHello))]
[JsonSerializable(typeof(ConsoleTick))]
[JsonSerializable(typeof(ConsoleEnd))]
[JsonSerializable(typeof(ConsoleSignedIn))]
[JsonSerializable(typeof(YarpWaitingRoom.Queue.RoomResetResult[]))]
internal sealed partial class ProxyJsonContext : JsonSerializerContext;
