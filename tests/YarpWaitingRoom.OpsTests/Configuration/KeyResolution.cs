namespace YarpWaitingRoom.OpsTests.Configuration;

/// <summary>
/// Where an environment variable lands in a service's configuration: <see cref="IsValid"/> with what it sets, or why
/// nothing reads it. <see cref="ValueType"/> is the type the value converts to (null: not checked, e.g. host settings).
/// </summary>
internal sealed record KeyResolution(bool IsValid, string Description, Type? ValueType = null)
{
    public static KeyResolution Valid(string description, Type? valueType = null) => new(true, description, valueType);

    public static KeyResolution Invalid(string reason) => new(false, reason);
}
