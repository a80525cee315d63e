using System.Text.Json;
using YarpWaitingRoom.Bench.Errors;

namespace YarpWaitingRoom.Bench.Tests.Errors;

public sealed class AnswerTests
{
    [Fact]
    public void String_FieldPresent_ReturnsIt()
    {
        var sut = new Answer("join", 503, "application/json", """{"wsUrl":"/ws?room=concert&t=abc"}""");

        Assert.Equal("/ws?room=concert&t=abc", sut.String(sut.Object(), "wsUrl"));
    }

    [Theory]
    [InlineData("""{"room":"concert"}""", "join 503 no 'wsUrl'")]
    [InlineData("""{"wsUrl":null}""", "join 503 no 'wsUrl'")]
    [InlineData("""{"wsUrl":""}""", "join 503 empty 'wsUrl'")]
    [InlineData("""{"wsUrl":42}""", "join 503 'wsUrl' is Number, not String")]
    [InlineData("""["wsUrl"]""", "join 503 not a JSON object (Array)")]
    [InlineData("""<html>busy</html>""", "join 503 malformed JSON")]
    [InlineData("", "join 503 malformed JSON")]
    [InlineData("""{"wsUrl":""", "join 503 malformed JSON")]
    public void String_AnswerWithoutTheField_IsAnUnexpectedAnswerNamingIt(string body, string kind)
    {
        var sut = new Answer("join", 503, "application/json", body);

        var error = Assert.Throws<UnexpectedAnswerException>(() => sut.String(sut.Object(), "wsUrl"));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(Answer.ExcerptOf(body), error.Excerpt);
    }

    [Fact]
    public void Property_OnANonObjectElement_IsAnUnexpectedAnswer()
    {
        var sut = new Answer("seats", 200, "application/json", """[1, 2]""");

        var error = Assert.Throws<UnexpectedAnswerException>(() => sut.Int32(sut.Array()[0], "id"));

        Assert.Equal("seats 200 no 'id' (Number, not an object)", error.Kind);
    }

    [Theory]
    [InlineData("""{"id":"not-a-guid"}""", "hold 201 'id' is not a GUID")]
    [InlineData("""{"seatId":1}""", "hold 201 no 'id'")]
    public void Guid_NotAGuid_IsAnUnexpectedAnswer(string body, string kind)
    {
        var sut = new Answer("hold", 201, "application/json", body);

        Assert.Equal(kind, Assert.Throws<UnexpectedAnswerException>(() => sut.Guid(sut.Object(), "id")).Kind);
    }

    [Fact]
    public void Boolean_WrongKind_IsAnUnexpectedAnswer()
    {
        var sut = new Answer("admin", 200, "application/json", """{"queueOn":"yes"}""");

        Assert.Equal("admin 200 'queueOn' is String, not a boolean", Assert.Throws<UnexpectedAnswerException>(() => sut.Boolean(sut.Object(), "queueOn")).Kind);
    }

    [Fact]
    public void ProblemType_ProblemDocument_IsItsType()
    {
        var sut = new Answer("hold", 409, "application/problem+json", """{"type":"urn:yarp-waiting-room:problem:seat-taken","status":409}""");

        Assert.True(sut.IsProblem);
        Assert.Equal("urn:yarp-waiting-room:problem:seat-taken", sut.ProblemType);
        Assert.Equal("hold 409 urn:yarp-waiting-room:problem:seat-taken", sut.Unexpected().Kind);
    }

    [Theory]
    [InlineData("application/json", """{"type":"position"}""")]
    [InlineData("application/problem+json", "not json")]
    [InlineData("application/problem+json", """{"title":"no type"}""")]
    [InlineData(null, "")]
    public void ProblemType_NotAProblemWithAType_IsNull(string? mediaType, string body)
    {
        var sut = new Answer("join", 500, mediaType, body);

        Assert.Null(sut.ProblemType);
        Assert.Equal("join 500", sut.Unexpected().Kind);
    }

    [Fact]
    public void Json_ParsedOnce_ElementsOutliveTheAnswer()
    {
        JsonElement seats;
        {
            var sut = new Answer("seats", 200, "application/json", """[{"id":1,"status":"available"}]""");
            seats = sut.Array();
        }

        Assert.Equal(1, seats[0].GetProperty("id").GetInt32());
    }
}
