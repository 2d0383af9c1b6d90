using System.Text;

namespace Sluice.Auth.Sasl;

/// <summary>What a client's SASL exchange claims: who, and with what proof.</summary>
public readonly record struct SaslCredentials(string AuthorizationId, string User, string Secret, bool IsToken);

/// <summary>
/// The client messages of the SASL mechanisms Sluice offers, decoded from their base64 text:
/// PLAIN (RFC 4616), LOGIN (two prompts), OAUTHBEARER (RFC 7628) and XOAUTH2 (Google's).
/// </summary>
public static class SaslMessages
{
    /// <summary>Base64 of "Username:" and "Password:", the LOGIN prompts every client expects.</summary>
    public const string LoginUserPrompt = "VXNlcm5hbWU6";

    public const string LoginPasswordPrompt = "UGFzc3dvcmQ6";

    /// <summary>Decodes a base64 client response; false for bad base64 (501 5.5.2).</summary>
    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null)
        {
            return false;
        }
        if (text == "=")
        {
            return true; // RFC 4954: "=" is an empty initial response
        }
        try
        {
            bytes = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>PLAIN: <c>[authzid] NUL authcid NUL password</c>.</summary>
    public static bool TryParsePlain(ReadOnlySpan<byte> message, out SaslCredentials credentials)
    {
        credentials = default;
        var first = message.IndexOf((byte)0);
        if (first < 0)
        {
            return false;
        }
        var rest = message[(first + 1)..];
        var second = rest.IndexOf((byte)0);
        if (second <= 0 || rest[(second + 1)..].IndexOf((byte)0) >= 0)
        {
            return false;
        }
        credentials = new SaslCredentials(
            Encoding.UTF8.GetString(message[..first]),
            Encoding.UTF8.GetString(rest[..second]),
            Encoding.UTF8.GetString(rest[(second + 1)..]),
            IsToken: false);
        return true;
    }

    /// <summary>OAUTHBEARER: a GS2 header <c>n,a=user,</c> then <c>^Aauth=Bearer token^A...^A^A</c>.</summary>
    public static bool TryParseOAuthBearer(ReadOnlySpan<byte> message, out SaslCredentials credentials)
    {
        credentials = default;
        var text = Encoding.UTF8.GetString(message);
        var firstSeparator = text.IndexOf('\u0001', StringComparison.Ordinal);
        if (firstSeparator < 0)
        {
            return false;
        }
        var gs2 = text[..firstSeparator].Split(',');
        if (gs2.Length < 2 || gs2[0] is not ("n" or "y"))
        {
            return false;
        }
        var user = gs2[1].StartsWith("a=", StringComparison.Ordinal) ? DecodeSaslName(gs2[1][2..]) : string.Empty;
        var token = BearerToken(text[(firstSeparator + 1)..]);
        if (token is null)
        {
            return false;
        }
        credentials = new SaslCredentials(user, user, token, IsToken: true);
        return true;
    }

    /// <summary>XOAUTH2: <c>user=u^Aauth=Bearer token^A^A</c>.</summary>
    public static bool TryParseXOAuth2(ReadOnlySpan<byte> message, out SaslCredentials credentials)
    {
        credentials = default;
        var text = Encoding.UTF8.GetString(message);
        if (!text.StartsWith("user=", StringComparison.Ordinal))
        {
            return false;
        }
        var separator = text.IndexOf('\u0001', StringComparison.Ordinal);
        if (separator < 0)
        {
            return false;
        }
        var user = text[5..separator];
        var token = BearerToken(text[(separator + 1)..]);
        if (token is null)
        {
            return false;
        }
        credentials = new SaslCredentials(user, user, token, IsToken: true);
        return true;
    }

    private static string? BearerToken(string pairs)
    {
        foreach (var pair in pairs.Split('\u0001'))
        {
            if (pair.StartsWith("auth=", StringComparison.OrdinalIgnoreCase))
            {
                var value = pair[5..];
                return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : null;
            }
        }
        return null;
    }

    /// <summary>RFC 5801 saslname: "=2C" is ',' and "=3D" is '='.</summary>
    private static string DecodeSaslName(string value) =>
        value.Replace("=2C", ",", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
}
