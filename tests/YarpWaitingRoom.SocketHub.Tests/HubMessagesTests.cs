using System.Text;
using System.Text.Json;
using YarpWaitingRoom.Hub.Sessions;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>The hand-written position formatter and heartbeat reader against the serializer that defines the format.</summary>
public sealed class HubMessagesTests
{
    public static TheoryData<long, double?, bool> Positions
    {
        get
        {
            var data = new TheoryData<long, double?, bool>();
            long[] positions = [0, 1, 7, 42, 999, 1_000_000, 123_456_789_012, int.MaxValue, long.MaxValue, -1, long.MinValue];
            double?[] etas =
            [
                null, 0, -0.0, 0.5, 1, 12.5, 1.0 / 3, 2.0 / 3, 0.1, 0.1 + 0.2, 1e-7, 1.5e-300, double.Epsilon, 59.999999999999,
                3600, 86_400.25, 1e15, 1e16, 123456789.123, 1e21, 1.7976931348623157e308, -12.5,
            ];
            foreach (var position in positions)
            {
                foreach (var eta in etas)
                {
                    data.Add(position, eta, position % 2 == 0);
                }
            }

            // Many more, as the ETA arithmetic makes them: positions over rates.
            var random = new Random(13);
            for (var i = 0; i < 500; i++)
            {
                var position = random.NextInt64(0, 10_000_000);
                data.Add(position, position / (random.NextDouble() * 1000), random.Next(2) == 0);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Positions))]
    public void Position_WritesExactlyTheSerializersBytes(long position, double? etaSeconds, bool queueOn)
    {
        var expected = JsonSerializer.SerializeToUtf8Bytes(new PositionMessage(position, etaSeconds, queueOn), HubJsonContext.Default.PositionMessage);

        var actual = HubMessages.Position(position, etaSeconds, queueOn);

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
    }

    [Theory]
    [InlineData(7L, 12.5, true, "K7Q2M9X4T1AB")]
    [InlineData(1L, null, false, "000000000000")]
    [InlineData(1_000_000L, 3600.25, true, "ZZZZZZZZZZZZ")]
    [InlineData(3L, 1.0, true, "not \"a\" receipt")]
    public void Position_WithAReceipt_WritesExactlyTheSerializersBytes(long position, double? etaSeconds, bool queueOn, string receipt)
    {
        var expected = JsonSerializer.SerializeToUtf8Bytes(new PositionMessage(position, etaSeconds, queueOn, receipt), HubJsonContext.Default.PositionMessage);

        var actual = HubMessages.Position(position, etaSeconds, queueOn, receipt);

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Position_WithAnEtaThatIsNoJsonNumber_IsRefusedAsTheSerializerRefusesIt(double etaSeconds)
    {
        Assert.ThrowsAny<ArgumentException>(() => HubMessages.Position(1, etaSeconds, queueOn: true));
    }

    [Theory]
    [InlineData("""{"type":"heartbeat"}""")]
    [InlineData("""  {"type" : "heartbeat"}  """)]
    [InlineData("""{"TYPE":"heartbeat"}""")]
    [InlineData("""{"Type":"heartbeat","extra":{"nested":[1,2,{"type":"x"}]},"n":null}""")]
    [InlineData("""{"\u0074ype":"heart\u0062eat"}""")]
    [InlineData("""{"type":"x","type":"heartbeat"}""")]
    [InlineData("""{"type":"heartbeat","type":"x"}""")]
    [InlineData("""{"type":"heartbeat","type":null}""")]
    [InlineData("""{"type":"Heartbeat"}""")]
    [InlineData("""{"type":"heartbeat "}""")]
    [InlineData("""{"type":null}""")]
    [InlineData("""{"type":1}""")]
    [InlineData("""{"type":true}""")]
    [InlineData("""{"type":["heartbeat"]}""")]
    [InlineData("""{"type":{"heartbeat":1}}""")]
    [InlineData("""{"types":"heartbeat"}""")]
    [InlineData("""{"typ":"heartbeat"}""")]
    [InlineData("""{}""")]
    [InlineData("""{"type":"heartbeat"}{}""")]
    [InlineData("""{"type":"heartbeat"} x""")]
    [InlineData("""{"type":"heartbeat",}""")]
    [InlineData("""{"type":"heartbeat" /* c */}""")]
    [InlineData("""{"type":"heartbeat\""")]
    [InlineData("""{"type":'heartbeat'}""")]
    [InlineData("""{type:"heartbeat"}""")]
    [InlineData("""["heartbeat"]""")]
    [InlineData("\"heartbeat\"")]
    [InlineData("null")]
    [InlineData("heartbeat")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("{")]
    public void IsHeartbeat_AgreesWithTheSerializer(string frame)
    {
        var utf8 = Encoding.UTF8.GetBytes(frame);
        bool expected;
        try
        {
            expected = JsonSerializer.Deserialize(utf8, HubJsonContext.Default.ClientMessage)?.Type == "heartbeat";
        }
        catch (JsonException)
        {
            expected = false;
        }

        Assert.Equal(expected, HubMessages.IsHeartbeat(utf8));
    }

    [Fact]
    public void IsHeartbeat_AcceptsTheHeartbeatThePageSends()
    {
        Assert.True(HubMessages.IsHeartbeat("""{"type":"heartbeat"}"""u8));
    }
}
