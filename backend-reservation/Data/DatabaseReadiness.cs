namespace YarpWaitingRoom.Reservation.Data;

/// <summary>Set once the schema is migrated and the demo data seeded; until then <c>/readyz</c> says not ready.</summary>
public sealed class DatabaseReadiness
{
    private volatile bool _initialized;

    public bool IsInitialized => _initialized;

    internal void MarkInitialized() => _initialized = true;
}
