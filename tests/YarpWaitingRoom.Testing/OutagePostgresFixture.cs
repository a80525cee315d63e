namespace YarpWaitingRoom.Testing;

/// <summary>
/// A PostgreSQL cluster of one test class alone, for outage tests that stop, start and freeze it
/// (<c>IClassFixture&lt;OutagePostgresFixture&gt;</c>; the tests of one class run one after another). The shared
/// <see cref="PostgresFixture"/> serves tests running in parallel and is never stopped.
/// </summary>
public sealed class OutagePostgresFixture : PostgresServerFixture;
