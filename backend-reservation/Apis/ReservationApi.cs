using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Reservation.Data;
using YarpWaitingRoom.Reservation.Diagnostics;
using YarpWaitingRoom.Reservation.Holds;

namespace YarpWaitingRoom.Reservation.Apis;

public static class ReservationApi
{
    public static IEndpointRouteBuilder MapReservationApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Built now, not at the first request: every metric is on /metrics from the start.
        _ = app.ServiceProvider.GetRequiredService<ReservationMetrics>();
        var api = app.MapGroup("/api")
            .AddEndpointFilter<VisitorRequiredFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapGet("/concerts", GetConcertsAsync);
        api.MapGet("/concerts/{concertId:int}/seats", GetSeatsAsync);
        api.MapGet("/holds", GetMyHoldsAsync);
        api.MapPost("/holds", CreateHoldAsync);
        api.MapDelete("/holds/{holdId:guid}", ReleaseHoldAsync);
        api.MapPost("/holds/{holdId:guid}/confirm", ConfirmHoldAsync);

        return app;
    }

    public static async Task<Ok<ConcertSummary[]>> GetConcertsAsync(
        [AsParameters] ReservationServices services, CancellationToken cancellationToken)
    {
        var concerts = await services.Db.Concerts
            .AsNoTracking()
            .OrderBy(c => c.Id)
            .Select(c => new ConcertSummary(
                c.Id,
                c.Name,
                c.Artist,
                c.Venue,
                c.Performances.OrderBy(p => p.StartsAt).Select(p => new PerformanceSummary(p.Id, p.StartsAt, p.Seats.Count)).ToList()))
            .ToArrayAsync(cancellationToken);
        return TypedResults.Ok(concerts);
    }

    public static async Task<Results<Ok<SeatView[]>, ProblemHttpResult>> GetSeatsAsync(
        int concertId, int? performanceId, HttpResponse response, [AsParameters] ReservationServices services, CancellationToken cancellationToken)
    {
        var db = services.Db;
        if (!await db.Concerts.AnyAsync(c => c.Id == concertId, cancellationToken))
        {
            return ConcertNotFound(concertId);
        }

        var now = services.TimeProvider.GetUtcNow();
        var seats = db.Seats.AsNoTracking().Where(s => s.Performance!.ConcertId == concertId);
        if (performanceId is { } performance)
        {
            seats = seats.Where(s => s.PerformanceId == performance);
        }

        var views = await seats
            .OrderBy(s => s.PerformanceId).ThenBy(s => s.Section).ThenBy(s => s.Row).ThenBy(s => s.Number)
            .Select(s => new SeatView(
                s.Id,
                s.PerformanceId,
                s.Section,
                s.Row,
                s.Number,
                s.PriceCents,
                db.Reservations.Any(r => r.SeatId == s.Id) ? SeatStatus.Sold
                : db.Holds.Any(h => h.SeatId == s.Id && h.Status == HoldStatus.Active && h.ExpiresAt > now) ? SeatStatus.Held
                : SeatStatus.Available))
            .ToArrayAsync(cancellationToken);
        if (AvailableOfOnePerformance(views) is { } available)
        {
            services.Inventory.Add(response, available);
        }

        return TypedResults.Ok(views);
    }

    /// <summary>
    /// The seats left of the performance a seat list shows, counted in the list itself (no second query); <see langword="null"/>
    /// when it shows several performances or none.
    /// </summary>
    private static int? AvailableOfOnePerformance(SeatView[] views)
    {
        if (views.Length == 0)
        {
            return null;
        }

        var available = 0;
        foreach (var view in views)
        {
            if (view.PerformanceId != views[0].PerformanceId)
            {
                return null;
            }

            if (view.Status == SeatStatus.Available)
            {
                available++;
            }
        }

        return available;
    }

    public static async Task<Ok<HoldView[]>> GetMyHoldsAsync(
        Visitor visitor, [AsParameters] ReservationServices services, CancellationToken cancellationToken)
    {
        var now = services.TimeProvider.GetUtcNow();
        var holds = await services.Db.Holds
            .AsNoTracking()
            .Where(h => h.VisitorId == visitor.Id && h.Status == HoldStatus.Active && h.ExpiresAt > now)
            .OrderBy(h => h.CreatedAt)
            .Select(h => new HoldView(h.Id, h.SeatId, h.ExpiresAt))
            .ToArrayAsync(cancellationToken);
        return TypedResults.Ok(holds);
    }

    public static async Task<Results<Created<HoldView>, ValidationProblem, ProblemHttpResult>> CreateHoldAsync(
        HoldRequest? request, Visitor visitor, HttpResponse response, [AsParameters] ReservationServices services, CancellationToken cancellationToken)
    {
        if (request?.SeatId is not { } seatId || seatId <= 0)
        {
            services.Metrics.BadRequest("invalid-body");
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["seatId"] = ["seatId is required and must be a positive integer."] },
                type: ProblemTypes.InvalidRequest);
        }

        var result = await services.Holds.CreateAsync(visitor.Id, seatId, cancellationToken);
        if (result.Kind != HoldResultKind.SeatNotFound)
        {
            // Counted after the commit, on its own: a count that fails cannot undo or fail the hold.
            await services.Inventory.AddForSeatAsync(response, seatId, cancellationToken);
        }

        return result.Kind switch
        {
            HoldResultKind.Created => TypedResults.Created($"/api/holds/{result.Hold!.Id}", ToView(result.Hold)),
            HoldResultKind.SeatNotFound => TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Seat not found",
                detail: $"There is no seat {seatId}.",
                type: ProblemTypes.SeatNotFound),
            HoldResultKind.SeatTaken => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Seat taken",
                detail: $"Seat {seatId} is held or sold. Choose another seat.",
                type: ProblemTypes.SeatTaken),
            HoldResultKind.LimitReached => TypedResults.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Hold limit reached",
                detail: "You already hold the most seats allowed at once. Confirm or release a hold first.",
                type: ProblemTypes.HoldLimitReached),
            _ => throw new InvalidOperationException($"Unexpected hold result {result.Kind}."),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> ReleaseHoldAsync(
        Guid holdId, Visitor visitor, HttpResponse response, [AsParameters] ReservationServices services, CancellationToken cancellationToken)
    {
        var result = await services.Holds.ReleaseAsync(visitor.Id, holdId, cancellationToken);
        if (result.SeatId is { } seatId)
        {
            await services.Inventory.AddForSeatAsync(response, seatId, cancellationToken);
        }

        return result.Kind switch
        {
            ReleaseResultKind.Released or ReleaseResultKind.AlreadyEnded => TypedResults.NoContent(),
            ReleaseResultKind.NotFound => HoldNotFound(holdId),
            ReleaseResultKind.AlreadyConfirmed => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Hold confirmed",
                detail: "This hold was confirmed; the seat is sold and cannot be released here.",
                type: ProblemTypes.HoldConfirmed),
            _ => throw new InvalidOperationException($"Unexpected release result {result}."),
        };
    }

    public static async Task<Results<Created<ReservationView>, Ok<ReservationView>, ProblemHttpResult>> ConfirmHoldAsync(
        Guid holdId, Visitor visitor, HttpResponse response, [AsParameters] ReservationServices services, CancellationToken cancellationToken)
    {
        var result = await services.Holds.ConfirmAsync(visitor.Id, holdId, cancellationToken);
        if (result.SeatId is { } seatId)
        {
            await services.Inventory.AddForSeatAsync(response, seatId, cancellationToken);
        }

        switch (result.Kind)
        {
            case ConfirmResultKind.Confirmed:
                EndSessionWhenDone(response, result);
                return TypedResults.Created($"/api/reservations/{result.Reservation!.Id}", ToView(result.Reservation));
            case ConfirmResultKind.AlreadyConfirmed:
                // A retried confirm (lost response) gets the same reservation back, not an error.
                EndSessionWhenDone(response, result);
                return TypedResults.Ok(ToView(result.Reservation!));
            case ConfirmResultKind.NotFound:
                return HoldNotFound(holdId);
            case ConfirmResultKind.Expired:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Hold expired",
                    detail: "The hold lapsed before it was confirmed; the seat may have gone to someone else. Hold it again.",
                    type: ProblemTypes.HoldExpired);
            case ConfirmResultKind.Released:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Hold released",
                    detail: "The hold was released and can no longer be confirmed.",
                    type: ProblemTypes.HoldReleased);
            default:
                throw new InvalidOperationException($"Unexpected confirm result {result.Kind}.");
        }
    }

    /// <summary>
    /// The visit is over once the visitor holds nothing more: the waiting room ends the session (and admits the next
    /// visitor at once). Not before: ending it would release the visitor's other holds (the abandonment consumer follows
    /// the ended session) while the visitor is still confirming them one by one.
    /// </summary>
    private static void EndSessionWhenDone(HttpResponse response, ConfirmResult result)
    {
        if (result.OpenHolds == 0)
        {
            response.Headers[WaitingRoomHeaders.Command] = WaitingRoomHeaders.EndSessionCommand;
        }
    }

    private static HoldView ToView(Hold hold) => new(hold.Id, hold.SeatId, hold.ExpiresAt);

    private static ReservationView ToView(SeatReservation reservation) =>
        new(reservation.Id, reservation.HoldId, reservation.SeatId, reservation.CreatedAt);

    private static ProblemHttpResult ConcertNotFound(int concertId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Concert not found",
        detail: $"There is no concert {concertId}.",
        type: ProblemTypes.ConcertNotFound);

    private static ProblemHttpResult HoldNotFound(Guid holdId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Hold not found",
        detail: $"You have no hold {holdId}.",
        type: ProblemTypes.HoldNotFound);
}
