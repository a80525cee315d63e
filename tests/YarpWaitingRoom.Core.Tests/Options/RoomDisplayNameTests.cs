using System.ComponentModel.DataAnnotations;
using YarpWaitingRoom.Options;

namespace YarpWaitingRoom.Tests.Options;

/// <summary>A room's display name per language: bounded, printable, and the page's language first.</summary>
public sealed class RoomDisplayNameTests
{
    public static TheoryData<string> Refused => new()
    {
        new string('x', RoomDisplayName.MaxLength + 1),
        "   ",
        "Concert\ntickets",
        "Concert\u0007",
        "Concert\u0085tickets",
        "Concert \u202Estekcit",
        "\u2066Concert\u2069",
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Validate_ANameTooLongBlankOrWithControlOrBidiCharacters_IsRefusedNamingTheLanguage(string name)
    {
        var sut = new RoomOptions { DisplayName = new RoomDisplayName { Ko = "콘서트", En = name } };

        var results = Validate(sut);

        var result = Assert.Single(results);
        Assert.StartsWith("DisplayName:en ", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal([nameof(RoomOptions.DisplayName)], result.MemberNames);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("콘서트 예매 — 2027 신년 음악회")]
    [InlineData("Concert tickets (Seoul) · 2027 👩‍🎤")]
    public void Validate_ANameOfPrintableTextWithinTheLimit_OrNone_IsAccepted(string? name)
    {
        var sut = new RoomOptions { DisplayName = new RoomDisplayName { Ko = name, En = new string('x', RoomDisplayName.MaxLength) } };

        Assert.Empty(Validate(sut));
    }

    [Theory]
    [InlineData("ko", "콘서트", "Concert", "콘서트")]
    [InlineData("en", "콘서트", "Concert", "Concert")]
    [InlineData("ko", null, "Concert", "Concert")]
    [InlineData("en", "콘서트", "", "콘서트")]
    [InlineData("en", null, null, null)]
    public void For_ALanguage_GivesItsName_ElseTheOthers_ElseNone(string language, string? ko, string? en, string? expected)
    {
        var sut = new RoomDisplayName { Ko = ko, En = en };

        Assert.Equal(expected, sut.For(language));
    }

    private static List<ValidationResult> Validate(RoomOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
