namespace YarpWaitingRoom.OpsTests.Compose;

/// <summary>A top-level network's IPAM: the subnet and the range compose hands out dynamically (null: the whole subnet).</summary>
internal sealed record ComposeNetwork(string Name, string? Subnet, string? IpRange);
