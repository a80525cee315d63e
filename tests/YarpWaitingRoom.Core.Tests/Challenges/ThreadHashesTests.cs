using System.Security.Cryptography;
using System.Text;
using YarpWaitingRoom.Challenges;

namespace YarpWaitingRoom.Tests.Challenges;

public sealed class ThreadHashesTests
{
    [Fact]
    public void Sha256_RepeatedOnTheThreadsContext_MatchesTheOneShot()
    {
        var hash = new byte[32];
        foreach (var text in new[] { "", "abc", new string('x', 200), "abc" })
        {
            var data = Encoding.ASCII.GetBytes(text);
            ThreadHashes.Sha256(data, hash);
            Assert.Equal(SHA256.HashData(data), hash);
        }

        // FIPS 180-2's "abc".
        ThreadHashes.Sha256("abc"u8, hash);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void HmacSha256_KeysAlternatingOnOneThread_EachMatchesTheOneShot()
    {
        byte[][] keys = [RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32)];
        var mac = new byte[32];
        for (var i = 0; i < 6; i++)
        {
            var key = keys[i % 3 == 0 ? 0 : 1];
            var data = Encoding.ASCII.GetBytes("message " + i);
            ThreadHashes.HmacSha256(key, data, mac);
            Assert.Equal(HMACSHA256.HashData(key, data), mac);
        }
    }
}
