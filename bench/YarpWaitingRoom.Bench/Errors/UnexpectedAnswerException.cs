namespace YarpWaitingRoom.Bench.Errors;

/// <summary>
/// An answer the load tool did not expect at a step of a rehearsal: a status, a problem document, a body without the
/// field the next step needs, a malformed body, a WebSocket close. <see cref="Kind"/> is what the error table counts by;
/// <see cref="Excerpt"/> is kept as the example.
/// </summary>
internal sealed class UnexpectedAnswerException : Exception
{
    public UnexpectedAnswerException(string step, int? status, string? problemType, string? reason, string excerpt)
        : base(Describe(step, status, problemType, reason) + ": " + excerpt)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(excerpt);
        Step = step;
        Status = status;
        ProblemType = problemType;
        Reason = reason;
        Excerpt = excerpt;
        Kind = Describe(step, status, problemType, reason);
    }

    public UnexpectedAnswerException()
        : this("unknown", null, null, null, string.Empty)
    {
    }

    public UnexpectedAnswerException(string message)
        : this("unknown", null, null, message, string.Empty)
    {
    }

    public UnexpectedAnswerException(string message, Exception innerException)
        : base(message, innerException)
    {
        Step = "unknown";
        Reason = message;
        Excerpt = string.Empty;
        Kind = Describe(Step, null, null, message);
    }

    /// <summary>The rehearsal step that got the answer (<c>join</c>, <c>ws</c>, <c>enter</c>, <c>seats</c>, <c>hold</c>, <c>confirm</c>, …).</summary>
    public string Step { get; }

    /// <summary>The HTTP status, or null for WebSocket messages and closes.</summary>
    public int? Status { get; }

    /// <summary>The <c>type</c> of an <c>application/problem+json</c> body, when there was one.</summary>
    public string? ProblemType { get; }

    /// <summary>What was wrong beyond the status (<c>no 'wsUrl'</c>, <c>malformed JSON</c>), or null when the status says it.</summary>
    public string? Reason { get; }

    /// <summary>The start of the body, on one line (at most <see cref="Answer.ExcerptLength"/> characters).</summary>
    public string Excerpt { get; }

    /// <summary>Step, status, problem type and reason: the error table's key.</summary>
    public string Kind { get; }

    private static string Describe(string step, int? status, string? problemType, string? reason)
    {
        var kind = step;
        if (status is { } code)
        {
            kind += " " + code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (problemType is not null)
        {
            kind += " " + problemType;
        }

        if (reason is not null)
        {
            kind += " " + reason;
        }

        return kind;
    }
}
