namespace Sluice.Protocol;

/// <summary>
/// Counts <c>Received:</c> header fields in a message's header section as its (unstuffed) bytes pass,
/// for loop detection (SPEC §2.5 <c>received-headers</c>). Incremental: feed any split; it stops
/// looking at the first empty line. Folded continuation lines (starting with SP or HTAB) are part of
/// the field above and never counted. A field name may be followed by spaces before the colon
/// (RFC 5322 obsolete syntax). A bare LF is taken as a line end here, so a message with Unix line
/// ends is counted too.
/// </summary>
public struct ReceivedHeaderCounter
{
    private const int NameLength = 8; // "received"

    private State _state;
    private int _matched;

    private enum State : byte
    {
        LineStart = 0,
        Name,
        AfterName,
        SkipLine,
        CrAtLineStart,
        Done,
    }

    /// <summary>The number of <c>Received</c> fields seen so far.</summary>
    public int Count { readonly get; private set; }

    /// <summary>True once the empty line that ends the header section was seen.</summary>
    public readonly bool HeadersComplete => _state == State.Done;

    private static ReadOnlySpan<byte> Name => "received"u8;

    /// <summary>Scans the next bytes of the message. Cheap once <see cref="HeadersComplete"/>.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        int i = 0;
        while (i < data.Length)
        {
            switch (_state)
            {
                case State.Done:
                    return;

                case State.LineStart:
                    {
                        byte b = data[i];
                        if (b == (byte)'\n')
                        {
                            _state = State.Done;
                            return;
                        }

                        if (b == (byte)'\r')
                        {
                            _state = State.CrAtLineStart;
                            i++;
                        }
                        else if (b is (byte)' ' or (byte)'\t')
                        {
                            _state = State.SkipLine; // a folded continuation line
                        }
                        else
                        {
                            _matched = 0;
                            _state = State.Name;
                        }

                        break;
                    }

                case State.CrAtLineStart:
                    if (data[i] == (byte)'\n')
                    {
                        _state = State.Done;
                        return;
                    }

                    _state = State.SkipLine;
                    break;

                case State.Name:
                    {
                        byte b = data[i];
                        if ((b | 0x20) == Name[_matched])
                        {
                            i++;
                            if (++_matched == NameLength)
                            {
                                _state = State.AfterName;
                            }
                        }
                        else
                        {
                            _state = State.SkipLine;
                        }

                        break;
                    }

                case State.AfterName:
                    {
                        byte b = data[i];
                        if (b == (byte)':')
                        {
                            Count++;
                            i++;
                            _state = State.SkipLine;
                        }
                        else if (b is (byte)' ' or (byte)'\t')
                        {
                            i++;
                        }
                        else
                        {
                            _state = State.SkipLine;
                        }

                        break;
                    }

                case State.SkipLine:
                    {
                        int lf = data[i..].IndexOf((byte)'\n');
                        if (lf < 0)
                        {
                            return;
                        }

                        i += lf + 1;
                        _state = State.LineStart;
                        break;
                    }
            }
        }
    }
}
