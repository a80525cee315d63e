namespace YarpWaitingRoom.Tests.Invitations;

/// <summary>
/// Fixed invitation keys (computed apart from this code base, with Python's hmac module): a change of the format breaks
/// them, and every ticket site's signer with them.
/// </summary>
internal static class InvitationVectors
{
    public const string Secret = "presale-secret-0123456789abcdef-concert";
    public const string OtherSecret = "q3Jb8v+Tz1Kc0mWn4Xy7Pd2Lh6Ga9Rs5Ve0Ui3Ok8Yw=";
    public const string Room = "concert";
    public const string Member = "fan-00042";

    /// <summary>2027-01-01T00:00:00Z.</summary>
    public const long Expiry = 1798761600;

    public const string Key = "v1.concert.fan-00042.1798761600.oa4HMn8im_mR3k9Rq8mmMJcWaInwmvFPSc2ozN7sTjw";

    public static readonly DateTimeOffset ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(Expiry);

    /// <summary>A day before <see cref="Key"/> expires.</summary>
    public static readonly DateTimeOffset Now = ExpiresAt.AddDays(-1);

    /// <summary>(secret, room, member, expiry) → key.</summary>
    public static TheoryData<string, string, string, long, string> All => new()
    {
        { Secret, Room, Member, Expiry, Key },
        {
            OtherSecret, "fanclub-presale", "M_9aZ-x", 4102444800,
            "v1.fanclub-presale.M_9aZ-x.4102444800.pfPn5MfpLmufEHj4NqD-DjnWW32P_RiFAFY-PCQDjRg"
        },
        {
            "!#$%&()*+,-/:;<=>?@[]^_`{|}~0123456789", new string('a', 64), new string('Z', 64), 253402300799,
            "v1.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ.253402300799.Fd4TTxqvOz8khb_U23BnCJf8lD7qfllxgHVkvmfInWk"
        },
        { Secret, Room, "1", 0, "v1.concert.1.0._grgRX0GfiurhuoiMJbQDosKwKk6uLF4yog5TJEnFLo" },
    };
}
