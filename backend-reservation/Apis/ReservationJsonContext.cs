using System.Text.Json.Serialization;
using YarpWaitingRoom.Reservation.Holds;

namespace YarpWaitingRoom.Reservation.Apis;

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ConcertSummary[]))]
[JsonSerializable(typeof(SeatView[]))]
[JsonSerializable(typeof(HoldRequest))]
[JsonSerializable(typeof(HoldView))]
[JsonSerializable(typeof(HoldView[]))]
[JsonSerializable(typeof(ReservationView))]
[JsonSerializable(typeof(SeatsFreed))]
internal sealed partial class ReservationJsonContext : JsonSerializerContext;
