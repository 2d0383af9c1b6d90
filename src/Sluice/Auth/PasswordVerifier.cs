using System.Security.Cryptography;
using System.Text;

namespace Sluice.Auth;

/// <summary>
/// Checks a password against a directory secret: bcrypt (<c>$2a$</c>, <c>$2b$</c>, <c>$2y$</c>),
/// SHA-512-crypt (<c>$6$</c>), SHA-256-crypt (<c>$5$</c>), Argon2 (<c>$argon2id$</c>, <c>$argon2i$</c>,
/// <c>$argon2d$</c>) or plain text. Every comparison is constant-time.
/// </summary>
public static class PasswordVerifier
{
    public static bool Verify(string password, string secret)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.StartsWith("$2a$", StringComparison.Ordinal) || secret.StartsWith("$2b$", StringComparison.Ordinal)
            || secret.StartsWith("$2y$", StringComparison.Ordinal))
        {
            try
            {
                return BCrypt.Net.BCrypt.Verify(password, secret);
            }
            catch (BCrypt.Net.SaltParseException)
            {
                return false;
            }
        }
        if (ShaCrypt.IsShaCrypt(secret))
        {
            return ShaCrypt.Verify(password, secret);
        }
        if (secret.StartsWith("$argon2", StringComparison.Ordinal))
        {
            try
            {
                return Isopoh.Cryptography.Argon2.Argon2.Verify(secret, password);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
            {
                return false;
            }
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(secret));
    }
}
