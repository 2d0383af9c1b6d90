using System.Text;

namespace Sluice.Sieve.Syntax;

/// <summary>
/// Turns script text into tokens one at a time (RFC 5228 §8.1). Whitespace and comments are skipped.
/// Errors go to the diagnostics; the token that caused one comes back as <see cref="TokenKind.Error"/>
/// so the parser does not report the same place twice.
/// </summary>
internal sealed class Lexer
{
    /// <summary>RFC 5228 leaves identifier length open; 32 is what interoperable scripts stay within.</summary>
    public const int MaxIdentifierLength = 32;

    private readonly string _text;
    private readonly Diagnostics _diagnostics;
    private readonly int _maxStringLength;
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private bool _inGarbage;

    public Lexer(string text, Diagnostics diagnostics, int maxStringLength)
    {
        _text = text;
        _diagnostics = diagnostics;
        _maxStringLength = maxStringLength;
    }

    private int Column => _pos - _lineStart + 1;

    private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private bool AtEnd => _pos >= _text.Length;

    private void Advance()
    {
        if (_text[_pos] == '\n')
        {
            _line++;
            _lineStart = _pos + 1;
        }
        _pos++;
    }

    public Token Next()
    {
        bool wasGarbage = _inGarbage;
        _inGarbage = false;
        if (!SkipWhitespaceAndComments(out Token? commentError))
        {
            return commentError!.Value;
        }
        if (AtEnd)
        {
            return new Token(TokenKind.EndOfFile, "", 0, _line, Column);
        }

        int line = _line, column = Column;
        char c = Peek();
        switch (c)
        {
            case '[': Advance(); return Simple(TokenKind.LeftBracket);
            case ']': Advance(); return Simple(TokenKind.RightBracket);
            case '(': Advance(); return Simple(TokenKind.LeftParen);
            case ')': Advance(); return Simple(TokenKind.RightParen);
            case '{': Advance(); return Simple(TokenKind.LeftBrace);
            case '}': Advance(); return Simple(TokenKind.RightBrace);
            case ',': Advance(); return Simple(TokenKind.Comma);
            case ';': Advance(); return Simple(TokenKind.Semicolon);
            case '"': return QuotedString(line, column);
            case ':' when IsIdentifierStart(Peek(1)):
                Advance();
                return Word(TokenKind.Tag, line, column);
            default:
                break;
        }

        if (char.IsAsciiDigit(c))
        {
            return NumberToken(line, column);
        }
        if (IsIdentifierStart(c))
        {
            // "text:" starts a multi-line string (RFC 5228 §2.4.2).
            if ((c is 't' or 'T') && string.Compare(_text, _pos, "text:", 0, 5, StringComparison.OrdinalIgnoreCase) == 0)
            {
                return MultiLine(line, column);
            }
            return Word(TokenKind.Identifier, line, column);
        }

        // A run of characters that start nothing is reported once, at its first character.
        if (!wasGarbage)
        {
            _diagnostics.Error(line, column, $"unexpected character(s) starting with {Sanitize(c)}");
        }
        Advance();
        _inGarbage = true;
        return new Token(TokenKind.Garbage, c.ToString(), 0, line, column);

        Token Simple(TokenKind kind) => new(kind, "", 0, line, column);
    }

    private static string Sanitize(char c) => c < 0x20 || c == 0x7f ? $"0x{(int)c:x2}" : $"'{c}'";

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private bool SkipWhitespaceAndComments(out Token? error)
    {
        error = null;
        while (!AtEnd)
        {
            char c = Peek();
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                Advance();
            }
            else if (c == '#')
            {
                while (!AtEnd && Peek() != '\n')
                {
                    Advance();
                }
            }
            else if (c == '/' && Peek(1) == '*')
            {
                int line = _line, column = Column;
                Advance();
                Advance();
                while (!AtEnd && !(Peek() == '*' && Peek(1) == '/'))
                {
                    Advance();
                }
                if (AtEnd)
                {
                    _diagnostics.Error(line, column, "end of file before end of bracket comment ('/* ... */') started at line " + line);
                    error = new Token(TokenKind.Error, "", 0, line, column);
                    return false;
                }
                Advance();
                Advance();
            }
            else
            {
                break;
            }
        }
        return true;
    }

    private Token Word(TokenKind kind, int line, int column)
    {
        int start = _pos;
        while (!AtEnd && IsIdentifierPart(Peek()))
        {
            Advance();
        }
        string word = _text[start.._pos];
        if (word.Length > MaxIdentifierLength)
        {
            string what = kind == TokenKind.Tag ? "tag identifier ':" : "identifier '";
            _diagnostics.Error(line, column, $"encountered impossibly long {what}{word[..MaxIdentifierLength]}...'");
            return new Token(TokenKind.Error, word, 0, line, column);
        }
        return new Token(kind, word, 0, line, column);
    }

    private Token NumberToken(int line, int column)
    {
        ulong value = 0;
        bool overflow = false;
        while (!AtEnd && char.IsAsciiDigit(Peek()))
        {
            ulong digit = (ulong)(Peek() - '0');
            if (value > (ulong.MaxValue - digit) / 10)
            {
                overflow = true;
            }
            else
            {
                value = value * 10 + digit;
            }
            Advance();
        }
        int shift = char.ToUpperInvariant(Peek()) switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            _ => 0,
        };
        if (shift > 0)
        {
            Advance();
            if (!overflow && value > ulong.MaxValue >> shift)
            {
                overflow = true;
            }
            value <<= shift;
        }
        if (overflow)
        {
            _diagnostics.Error(line, column, $"number exceeds the maximum of {ulong.MaxValue}");
            return new Token(TokenKind.Error, "", 0, line, column);
        }
        return new Token(TokenKind.Number, "", value, line, column);
    }

    private Token QuotedString(int line, int column)
    {
        Advance(); // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                _diagnostics.Error(line, column, "end of file before end of quoted string");
                return new Token(TokenKind.Error, "", 0, line, column);
            }
            char c = Peek();
            if (c == '"')
            {
                Advance();
                break;
            }
            if (c == '\\')
            {
                Advance();
                if (AtEnd)
                {
                    continue;
                }
                c = Peek();
            }
            else if (c == '\r' && Peek(1) == '\n')
            {
                Advance();
                continue;
            }
            else if (c == '\n')
            {
                // Line breaks inside strings are CRLF whatever the script file uses (RFC 5228 §2.4.2).
                if (sb.Length <= _maxStringLength)
                {
                    sb.Append('\r');
                }
            }
            // Only the first characters of an over-long string are kept; the error comes at the end.
            if (sb.Length <= _maxStringLength)
            {
                sb.Append(c);
            }
            Advance();
        }
        return Finish(sb, line, column);
    }

    private Token Finish(StringBuilder sb, int line, int column)
    {
        if (sb.Length > _maxStringLength)
        {
            _diagnostics.Error(line, column, $"string exceeds the maximum length of {_maxStringLength} characters");
            return new Token(TokenKind.Error, "", 0, line, column);
        }
        return new Token(TokenKind.String, sb.ToString(), 0, line, column);
    }

    private Token MultiLine(int line, int column)
    {
        for (int i = 0; i < 5; i++)
        {
            Advance();
        }
        // After "text:" only blanks and an optional hash comment may follow on the line.
        while (Peek() is ' ' or '\t')
        {
            Advance();
        }
        if (Peek() == '#')
        {
            while (!AtEnd && Peek() != '\n')
            {
                Advance();
            }
        }
        if (Peek() == '\r')
        {
            Advance();
        }
        if (Peek() != '\n')
        {
            _diagnostics.Error(_line, Column, "invalid character after 'text:' in multi-line string");
            return new Token(TokenKind.Error, "", 0, line, column);
        }
        Advance();

        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                _diagnostics.Error(line, column, "end of file before end of multi-line string");
                return new Token(TokenKind.Error, "", 0, line, column);
            }
            if (Peek() == '.')
            {
                // A lone "." ends the string; ".." is a dot-stuffed "." (RFC 5228 §2.4.2).
                int after = _pos + 1;
                if (after < _text.Length && _text[after] == '\r')
                {
                    after++;
                }
                if (after >= _text.Length || _text[after] == '\n')
                {
                    while (_pos < after)
                    {
                        Advance();
                    }
                    if (!AtEnd)
                    {
                        Advance();
                    }
                    return Finish(sb, line, column);
                }
                if (Peek(1) == '.')
                {
                    Advance();
                }
            }
            while (!AtEnd && Peek() != '\n')
            {
                if (sb.Length <= _maxStringLength && !(Peek() == '\r' && Peek(1) == '\n'))
                {
                    sb.Append(Peek());
                }
                Advance();
            }
            if (AtEnd)
            {
                _diagnostics.Error(line, column, "end of file before end of multi-line string");
                return new Token(TokenKind.Error, "", 0, line, column);
            }
            if (sb.Length <= _maxStringLength)
            {
                sb.Append("\r\n");
            }
            Advance();
        }
    }
}
