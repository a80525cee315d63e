using System.Text;
using YarpWaitingRoom.Invitations;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.Tests.Invitations;

public sealed class MemberVisitorsTests
{
    private static readonly byte[] Key = Encoding.ASCII.GetBytes("member-visitor-key-0123456789abcdef");
    private static readonly byte[] OtherKey = Encoding.ASCII.GetBytes("another-member-visitor-key-01234567");

    [Theory]
    [InlineData("concert", "fan-00042", "me8dTLzZ3mYdN8c1X")] // computed apart from this code base, with Python's hmac module
    [InlineData("fanclub-presale", "M_9aZ-x", "mfHKQPASyosD-MSk9")]
    public void Of_FixedInputs_GiveTheFixedVisitor(string room, string member, string visitor) =>
        Assert.Equal(visitor, MemberVisitors.Of(Key, room, member));

    [Fact]
    public void Of_TheSameMemberAndRoom_IsTheSameVisitor_SoTheKeyReturnsTheSamePlace() =>
        Assert.Equal(MemberVisitors.Of(Key, "concert", "fan-1"), MemberVisitors.Of(Key.ToArray(), "concert", "fan-1"));

    [Fact]
    public void Of_AnotherMember_AnotherRoom_OrAnotherKey_IsAnotherVisitor()
    {
        string[] visitors =
        [
            MemberVisitors.Of(Key, "concert", "fan-1"),
            MemberVisitors.Of(Key, "concert", "fan-2"),
            MemberVisitors.Of(Key, "concert", "Fan-1"),
            MemberVisitors.Of(Key, "concert-2", "fan-1"),
            MemberVisitors.Of(OtherKey, "concert", "fan-1"),
            // the separator keeps (room, member) pairs apart even where their joined text would meet
            MemberVisitors.Of(Key, "a-b", "c"),
            MemberVisitors.Of(Key, "a", "b-c"),
        ];

        Assert.Equal(visitors.Length, visitors.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("concert", "1")]
    [InlineData("rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr", "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm")]
    public void Of_IsAVisitorIdTheQueueTakes_MarkedAsAMembers(string room, string member)
    {
        var visitor = MemberVisitors.Of(Key, room, member);

        Assert.True(VisitorIds.IsValid(visitor));
        Assert.DoesNotContain(TicketIds.Separator, visitor);
        Assert.Equal(17, visitor.Length);
        Assert.Equal(MemberVisitors.Mark, visitor[0]);
        Assert.True(TicketIds.TryParse(TicketIds.Queued(visitor, 42), out var parsed, out var sequence));
        Assert.Equal((visitor, 42L), (parsed, sequence));
    }

    [Fact]
    public void Of_DoesNotShowTheMemberId() =>
        Assert.DoesNotContain("00042", MemberVisitors.Of(Key, "concert", "fan-00042"), StringComparison.Ordinal);

    [Fact]
    public void Of_WithAShortKey_OrARoomOrMemberOutsideTheRules_Throws()
    {
        Assert.Throws<ArgumentException>(() => MemberVisitors.Of(new byte[31], "concert", "fan-1"));
        Assert.Throws<ArgumentException>(() => MemberVisitors.Of(Key, "Concert", "fan-1"));
        Assert.Throws<ArgumentException>(() => MemberVisitors.Of(Key, "concert", "fan.1"));
        Assert.Throws<ArgumentException>(() => MemberVisitors.Of(Key, "concert", ""));
        Assert.Throws<ArgumentException>(() => MemberVisitors.Of(Key, "concert", new string('m', 65)));
    }
}
