namespace Sluice.Sieve.Syntax;

/// <summary>
/// Recursive-descent parser for RFC 5228 §8.2. Recursion follows nesting, so nesting is capped
/// (<see cref="MaxBlockNesting"/>, <see cref="MaxTestNesting"/>): a hostile script cannot drive the
/// stack deep. After an error the parser skips to the end of the broken structure and goes on, so that
/// every error in the script is reported, not just the first.
/// </summary>
internal sealed class Parser
{
    public const int MaxBlockNesting = 32;
    public const int MaxTestNesting = 32;
    public const int MaxArguments = 32;

    private readonly Lexer _lexer;
    private readonly Diagnostics _diagnostics;
    private Token _token;
    private bool _valid = true;

    // The outcome of parsing a piece: Ok, or Recoverable (an error the caller should recover from).
    private enum Outcome
    {
        Recoverable,
        Ok,
    }

    public Parser(string text, Diagnostics diagnostics, int maxStringLength)
    {
        _diagnostics = diagnostics;
        _lexer = new Lexer(text, diagnostics, maxStringLength);
        _token = _lexer.Next();
    }

    /// <summary>Parses the whole script; null when it has errors (they are in the diagnostics).</summary>
    public List<AstNode>? ParseScript()
    {
        var root = new List<AstNode>();
        Outcome outcome = ParseCommands(root, 1);
        if (outcome == Outcome.Ok && _valid && _token.Kind != TokenKind.EndOfFile)
        {
            Error($"unexpected {_token.Describe()} found at (the presumed) end of file");
        }
        return _valid ? root : null;
    }

    private void Skip() => _token = _lexer.Next();

    private void Error(string message)
    {
        // The lexer already reported the token it marked as an error.
        if (_token.Kind != TokenKind.Error)
        {
            _diagnostics.Error(_token.Line, _token.Column, message);
        }
        _valid = false;
    }

    // commands = *command ; command = identifier arguments (";" / block)
    private Outcome ParseCommands(List<AstNode> block, int depth)
    {
        while (_token.Kind == TokenKind.Identifier)
        {
            var command = new AstNode(_token.Text, false, _token.Line, _token.Column);
            block.Add(command);
            Skip();

            Outcome outcome = ParseArguments(command, 1);
            if (outcome == Outcome.Ok && _token.Kind is not (TokenKind.Semicolon or TokenKind.LeftBrace))
            {
                Error($"expected end of command ';' or the beginning of a compound block '{{', but found {_token.Describe()}");
                outcome = Outcome.Recoverable;
            }
            if (outcome == Outcome.Recoverable && !Recover(TokenKind.Semicolon))
            {
                return Outcome.Recoverable;
            }

            if (_token.Kind == TokenKind.Semicolon)
            {
                Skip();
                continue;
            }

            // A block follows.
            Skip();
            if (depth + 1 > MaxBlockNesting)
            {
                Error($"cannot nest command blocks deeper than {MaxBlockNesting} levels");
                if (!Recover(TokenKind.RightBrace))
                {
                    return Outcome.Recoverable;
                }
                Skip();
                continue;
            }
            command.Block = [];
            if (ParseCommands(command.Block, depth + 1) == Outcome.Ok)
            {
                if (_token.Kind == TokenKind.RightBrace)
                {
                    Skip();
                }
                else
                {
                    Error($"expected end of compound block '}}', but found {_token.Describe()}");
                    if (!Recover(TokenKind.RightBrace))
                    {
                        return Outcome.Recoverable;
                    }
                    Skip();
                }
            }
            else
            {
                if (!Recover(TokenKind.RightBrace))
                {
                    return Outcome.Recoverable;
                }
                Skip();
            }
        }
        return Outcome.Ok;
    }

    // arguments = *argument [test / test-list]
    private Outcome ParseArguments(AstNode node, int depth)
    {
        while (true)
        {
            AstArgument? argument;
            switch (_token.Kind)
            {
                case TokenKind.LeftBracket:
                    var list = new AstStringList(_token.Line, _token.Column, bracketed: true);
                    Skip();
                    if (!ParseStringListItems(list))
                    {
                        return Outcome.Recoverable;
                    }
                    argument = list;
                    break;
                case TokenKind.String:
                    var single = new AstStringList(_token.Line, _token.Column, bracketed: false);
                    single.Items.Add(new AstString(_token.Text, _token.Line, _token.Column));
                    Skip();
                    argument = single;
                    break;
                case TokenKind.Number:
                    argument = new AstNumber(_token.Number, _token.Line, _token.Column);
                    Skip();
                    break;
                case TokenKind.Tag:
                    argument = new AstTag(_token.Text, _token.Line, _token.Column);
                    Skip();
                    break;
                default:
                    argument = null;
                    break;
            }
            if (argument is null)
            {
                break;
            }
            node.Arguments.Add(argument);
            if (node.Arguments.Count > MaxArguments)
            {
                Error($"too many arguments for command '{node.Name}'");
                return Outcome.Recoverable;
            }
        }

        switch (_token.Kind)
        {
            case TokenKind.Identifier:
                if (depth + 1 > MaxTestNesting)
                {
                    Error($"cannot nest tests deeper than {MaxTestNesting} levels");
                    return Outcome.Recoverable;
                }
                var test = new AstNode(_token.Text, true, _token.Line, _token.Column);
                node.Tests.Add(test);
                Skip();
                return ParseArguments(test, depth + 1);

            case TokenKind.LeftParen:
                Skip();
                if (depth + 1 > MaxTestNesting)
                {
                    Error($"cannot nest tests deeper than {MaxTestNesting} levels");
                    return RecoverAndSkip(TokenKind.RightParen);
                }
                node.HasTestList = true;
                return ParseTestList(node, depth);

            default:
                return Outcome.Ok;
        }
    }

    // test-list = "(" test *("," test) ")"; the "(" is already consumed.
    private Outcome ParseTestList(AstNode node, int depth)
    {
        bool expectTest = true;
        while (expectTest)
        {
            if (_token.Kind != TokenKind.Identifier)
            {
                string where = node.Tests.Count == 0 ? "'('" : "','";
                Error($"expecting test identifier after {where} in test list, but found {_token.Describe()}");
                return RecoverAndSkip(TokenKind.RightParen);
            }
            var test = new AstNode(_token.Text, true, _token.Line, _token.Column);
            node.Tests.Add(test);
            Skip();
            if (ParseArguments(test, depth + 1) != Outcome.Ok)
            {
                return RecoverAndSkip(TokenKind.RightParen);
            }
            expectTest = _token.Kind == TokenKind.Comma;
            if (expectTest)
            {
                Skip();
            }
        }
        if (_token.Kind == TokenKind.RightParen)
        {
            Skip();
            return Outcome.Ok;
        }
        Error($"expecting ',' or end of test list ')', but found {_token.Describe()}");
        return RecoverAndSkip(TokenKind.RightParen);
    }

    // string-list items after "["; true when the list ended properly or was recovered.
    private bool ParseStringListItems(AstStringList list)
    {
        while (true)
        {
            if (_token.Kind != TokenKind.String)
            {
                string where = list.Items.Count == 0 ? "'['" : "','";
                Error($"expecting string after {where} in string list, but found {_token.Describe()}");
                return RecoverAndSkip(TokenKind.RightBracket) == Outcome.Ok;
            }
            list.Items.Add(new AstString(_token.Text, _token.Line, _token.Column));
            Skip();
            if (_token.Kind == TokenKind.Comma)
            {
                Skip();
                continue;
            }
            if (_token.Kind == TokenKind.RightBracket)
            {
                Skip();
                return true;
            }
            Error($"expecting ',' or end of string list ']', but found {_token.Describe()}");
            return RecoverAndSkip(TokenKind.RightBracket) == Outcome.Ok;
        }
    }

    private Outcome RecoverAndSkip(TokenKind end)
    {
        if (!Recover(end))
        {
            return Outcome.Recoverable;
        }
        Skip();
        return Outcome.Ok;
    }

    private static int Priority(TokenKind kind) => kind switch
    {
        TokenKind.LeftBrace or TokenKind.RightBrace => 3,
        TokenKind.Semicolon => 2,
        TokenKind.LeftParen or TokenKind.RightParen => 1,
        TokenKind.LeftBracket or TokenKind.RightBracket => 0,
        _ => -1,
    };

    /// <summary>
    /// Skips the rest of a broken structure: tokens of lower grammatical rank are skipped (counting
    /// nested pairs of the structure's own kind) until its end token is current. It gives up at a token
    /// of higher rank (a broken test list stops at ';' or '{', a broken command at '}') so the caller's
    /// structure can recover in turn. A broken command also ends at '{', whose block is then parsed.
    /// </summary>
    private bool Recover(TokenKind end)
    {
        int endPriority = Priority(end);
        TokenKind begin = end switch
        {
            TokenKind.RightBracket => TokenKind.LeftBracket,
            TokenKind.RightParen => TokenKind.LeftParen,
            TokenKind.RightBrace => TokenKind.LeftBrace,
            _ => TokenKind.EndOfFile, // commands have no opening token
        };
        int nesting = 1;
        // Each step consumes a token, so this ends at the end of the text.
        while (_token.Kind != TokenKind.EndOfFile && Priority(_token.Kind) <= endPriority)
        {
            if (_token.Kind == begin)
            {
                nesting++;
                Skip();
                continue;
            }
            if (_token.Kind == end && --nesting == 0)
            {
                return true;
            }
            Skip();
        }
        return end == TokenKind.Semicolon && _token.Kind == TokenKind.LeftBrace;
    }
}
