using System.Buffers.Text;
using System.Security.Cryptography;

namespace YarpWaitingRoom.Queue;

/// <summary>Ticket ids: 96 random bits, base64url (16 characters). Unguessable, and small in Redis.</summary>
internal static class TicketIds
{
    private const int Bytes = 12;

    public static string New()
    {
        Span<byte> random = stackalloc byte[Bytes];
        RandomNumberGenerator.Fill(random);
        return Base64Url.EncodeToString(random);
    }
}
