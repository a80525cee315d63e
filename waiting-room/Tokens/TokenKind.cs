namespace YarpWaitingRoom.Tokens;

/// <summary>What a signed token grants. The kind is signed too, so one kind can never pass for another.</summary>
internal enum TokenKind : byte
{
    /// <summary>A place in the queue: what the waiting page, the ticket endpoint and the WebSocket carry (<c>t=</c>).</summary>
    Ticket = (byte)'t',

    /// <summary>A one-time code that turns an admission into a cookie (<c>/_wr/enter/&lt;room&gt;?code=</c>).</summary>
    EntryCode = (byte)'e',

    /// <summary>The admission cookie <c>wr_&lt;room&gt;</c>.</summary>
    Admission = (byte)'a',

    /// <summary>The visitor id cookie: who this browser is, across tabs and reloads.</summary>
    Visitor = (byte)'v',
}
