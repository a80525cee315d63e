using System.Text.Json;

namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>Body of <c>PUT /_wr/admin/rooms/{room}/inventory</c>: <c>{"remaining": N}</c>, or <c>null</c> to clear it.</summary>
/// <param name="Remaining">Kept as JSON so that a wrong value is answered with the field named, not a binding failure.</param>
internal sealed record InventoryRequest(JsonElement Remaining);
