namespace YarpWaitingRoom.Testing;

/// <summary>One PostgreSQL cluster per test assembly; each test class creates its own database in it. Never stopped.</summary>
public sealed class PostgresFixture : PostgresServerFixture;
