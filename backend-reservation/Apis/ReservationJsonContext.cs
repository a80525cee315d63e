using System.Text.Json.Serialization;

namespace YarpWaitingRoom.Reservation.Apis;

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ConcertSummary[]))]
[JsonSerializable(typeof(SeatView[]))]
[JsonSerializable(typeof(HoldRequest))]
[JsonSerializable(typeof(HoldView))]
[JsonSerializable(typeof(HoldView[]))]
[JsonSerializable(typeof(ReservationView))]
internal sealed partial class ReservationJsonContext : JsonSerializerContext;
