namespace Sluice.Sieve.Syntax;

/// <summary>The kinds of token RFC 5228 §8.1 defines, plus the two error kinds the parser needs to know about.</summary>
internal enum TokenKind
{
    EndOfFile,
    Identifier,
    Tag,
    Number,
    String,
    LeftBracket,   // [
    RightBracket,  // ]
    LeftParen,     // (
    RightParen,    // )
    LeftBrace,     // {
    RightBrace,    // }
    Comma,
    Semicolon,
    // A token the lexer already reported (too long, number overflow, ...): the parser stays silent about it.
    Error,
    // Characters that start no token; the lexer reports only the first of a run.
    Garbage,
}

internal readonly record struct Token(TokenKind Kind, string Text, ulong Number, int Line, int Column)
{
    /// <summary>How an error message names this token ("identifier 'keep'", "end of file", ...).</summary>
    public string Describe() => Kind switch
    {
        TokenKind.EndOfFile => "end of file",
        TokenKind.Identifier => $"identifier '{Text}'",
        TokenKind.Tag => $"tag ':{Text}'",
        TokenKind.Number => $"number {Number}",
        TokenKind.String => "string",
        TokenKind.LeftBracket => "'['",
        TokenKind.RightBracket => "']'",
        TokenKind.LeftParen => "'('",
        TokenKind.RightParen => "')'",
        TokenKind.LeftBrace => "'{'",
        TokenKind.RightBrace => "'}'",
        TokenKind.Comma => "','",
        TokenKind.Semicolon => "';'",
        TokenKind.Garbage => "unknown characters",
        _ => "invalid token",
    };
}
