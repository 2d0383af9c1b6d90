using System.Text;

namespace Sluice.Auth.Sasl;

/// <summary>What the server does next in a SASL exchange.</summary>
public enum SaslStepKind
{
    /// <summary>Send <c>334 &lt;Challenge&gt;</c> and wait for the client's next line.</summary>
    Challenge,

    /// <summary>The client has said everything: check <see cref="SaslStep.Credentials"/>.</summary>
    Verify,

    /// <summary>Bad base64 or a malformed message: <c>501 5.5.2</c> (counted as a failure).</summary>
    Malformed,

    /// <summary>The client sent <c>*</c>: <c>501 5.7.0</c>.</summary>
    Cancelled,

    /// <summary>The exchange is over and failed (after an OAuth error challenge): <c>535 5.7.8</c>.</summary>
    Failed,
}

public readonly record struct SaslStep(SaslStepKind Kind, string Challenge = "", SaslCredentials Credentials = default);

/// <summary>
/// One AUTH exchange (RFC 4954) for PLAIN, LOGIN, OAUTHBEARER or XOAUTH2: it turns the client's lines
/// into either the next challenge or the credentials to check. It knows no directory and no session.
/// </summary>
public sealed class SaslExchange
{
    /// <summary>The JSON error challenge of RFC 7628 3.2.2, sent before the final failure.</summary>
    private static readonly string s_tokenError =
        Convert.ToBase64String("{\"status\":\"invalid_token\",\"schemes\":\"bearer\"}"u8);

    private readonly string _mechanism;
    private int _step;
    private string _loginUser = string.Empty;
    private bool _awaitingErrorAck;

    public SaslExchange(string mechanism) => _mechanism = mechanism.ToUpperInvariant();

    public string Mechanism => _mechanism;

    /// <summary>Starts with the AUTH command's initial response (null when none was given).</summary>
    public SaslStep Start(string? initialResponse)
    {
        if (initialResponse is null)
        {
            _step = 0;
            return new SaslStep(SaslStepKind.Challenge, _mechanism == "LOGIN" ? SaslMessages.LoginUserPrompt : string.Empty);
        }
        return Respond(initialResponse);
    }

    /// <summary>The client's next line after a 334.</summary>
    public SaslStep Respond(string line)
    {
        if (_awaitingErrorAck)
        {
            return new SaslStep(SaslStepKind.Failed);
        }
        if (line == "*")
        {
            return new SaslStep(SaslStepKind.Cancelled);
        }
        if (!SaslMessages.TryDecode(line, out var bytes))
        {
            return new SaslStep(SaslStepKind.Malformed);
        }
        SaslCredentials credentials;
        switch (_mechanism)
        {
            case "PLAIN":
                return SaslMessages.TryParsePlain(bytes, out credentials)
                    ? new SaslStep(SaslStepKind.Verify, Credentials: credentials)
                    : new SaslStep(SaslStepKind.Malformed);
            case "LOGIN":
                if (_step == 0)
                {
                    _loginUser = Encoding.UTF8.GetString(bytes);
                    _step = 1;
                    return new SaslStep(SaslStepKind.Challenge, SaslMessages.LoginPasswordPrompt);
                }
                return new SaslStep(SaslStepKind.Verify, Credentials: new SaslCredentials(string.Empty, _loginUser, Encoding.UTF8.GetString(bytes), IsToken: false));
            case "OAUTHBEARER":
                return SaslMessages.TryParseOAuthBearer(bytes, out credentials)
                    ? new SaslStep(SaslStepKind.Verify, Credentials: credentials)
                    : new SaslStep(SaslStepKind.Malformed);
            case "XOAUTH2":
                return SaslMessages.TryParseXOAuth2(bytes, out credentials)
                    ? new SaslStep(SaslStepKind.Verify, Credentials: credentials)
                    : new SaslStep(SaslStepKind.Malformed);
            default:
                return new SaslStep(SaslStepKind.Malformed);
        }
    }

    /// <summary>
    /// After a token failed: OAUTHBEARER and XOAUTH2 first send an error challenge the client answers
    /// (RFC 7628 3.2.2); returns that challenge, or null when the failure can be answered at once.
    /// </summary>
    public string? TokenErrorChallenge()
    {
        if (_mechanism is "OAUTHBEARER" or "XOAUTH2")
        {
            _awaitingErrorAck = true;
            return s_tokenError;
        }
        return null;
    }
}
