using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Sluice.Auth.Sasl;

/// <summary>
/// Validates the bearer tokens of OAUTHBEARER and XOAUTH2 as JWTs (signature, issuer, audience,
/// expiry) with Microsoft's token handler, against <c>session.auth.oauth.*</c>.
/// </summary>
public sealed class OAuthTokenValidator
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;

    public OAuthTokenValidator(string? issuer, string? audience, string? publicKeyPem, string? jwks)
    {
        var keys = new List<SecurityKey>();
        if (!string.IsNullOrWhiteSpace(publicKeyPem))
        {
            keys.Add(KeyFromPem(publicKeyPem));
        }
        if (!string.IsNullOrWhiteSpace(jwks))
        {
            keys.AddRange(new JsonWebKeySet(jwks).GetSigningKeys());
        }
        IsConfigured = keys.Count > 0;
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidateIssuer = issuer is not null,
            ValidAudience = audience,
            ValidateAudience = audience is not null,
            IssuerSigningKeys = keys,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromMinutes(1),
        };
    }

    /// <summary>False when no key is configured: token mechanisms then always fail.</summary>
    public bool IsConfigured { get; }

    /// <summary>
    /// The identity the token proves (its <c>email</c>, else <c>sub</c>), or null when the token is
    /// invalid or names someone other than <paramref name="claimedUser"/> (when one was claimed).
    /// </summary>
    public async Task<string?> ValidateAsync(string token, string claimedUser)
    {
        if (!IsConfigured)
        {
            return null;
        }
        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid)
        {
            return null;
        }
        var identity = (result.Claims.TryGetValue("email", out var email) ? email as string : null)
            ?? (result.Claims.TryGetValue("sub", out var sub) ? sub as string : null);
        if (identity is null)
        {
            return null;
        }
        return claimedUser.Length == 0 || string.Equals(claimedUser, identity, StringComparison.OrdinalIgnoreCase) ? identity : null;
    }

    /// <summary>Reads an EC or RSA public key (SubjectPublicKeyInfo PEM).</summary>
    private static SecurityKey KeyFromPem(string pem)
    {
        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            ec.Dispose();
        }
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return new RsaSecurityKey(rsa);
    }
}
