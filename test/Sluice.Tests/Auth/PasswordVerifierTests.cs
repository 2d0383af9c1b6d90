using System.Diagnostics;
using Sluice.Auth;

namespace Sluice.Tests.Auth;

/// <summary>Directory secrets: SHA-crypt against published vectors and openssl, bcrypt, Argon2, plain text.</summary>
public class PasswordVerifierTests
{
    // Vectors of the SHA-crypt specification, also printed by `openssl passwd -5/-6` and glibc crypt(3).
    [TestCase("Hello world!", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5")]
    [TestCase("Hello world!", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1")]
    [TestCase("Hello world!", "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.")]
    [TestCase("Hello world!", "$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA")]
    [TestCase("x", "$6$toolongsaltstrin$m5UCdGkMg16fnZB/afayhHcFYEQvnTRoKod8GIJKB0rGGl9IQGUPKeGHHw5xPOFVPjhTAcuzioT6ZcDqsMKJ80")]
    public void Sha_crypt_matches_the_published_vectors(string password, string hash)
    {
        Assert.That(PasswordVerifier.Verify(password, hash), Is.True);
        Assert.That(PasswordVerifier.Verify(password + "x", hash), Is.False);
    }

    [TestCase("-5")]
    [TestCase("-6")]
    public async Task Sha_crypt_agrees_with_openssl_on_random_passwords(string variant)
    {
        var random = new Random(variant.GetHashCode(StringComparison.Ordinal));
        for (var i = 0; i < 5; i++)
        {
            // At least one character: "openssl passwd -stdin" prints nothing for an empty line.
            var password = new string(Enumerable.Range(0, random.Next(1, 40)).Select(_ => (char)random.Next(33, 127)).ToArray());
            var salt = new string(Enumerable.Range(0, random.Next(1, 17)).Select(_ => "abcdefghijklmnopqrstuvwxyzABCDEF0123456789./"[random.Next(44)]).ToArray());
            var hash = await OpensslPasswdAsync(variant, salt, password);
            Assert.That(PasswordVerifier.Verify(password, hash), Is.True, $"{hash} for '{password}'");
            Assert.That(ShaCrypt.Hash(password, salt, sha512: variant == "-6"), Is.EqualTo(hash));
        }
    }

    [Test]
    public void Bcrypt_in_every_prefix()
    {
        var hash = BCrypt.Net.BCrypt.HashPassword("secret", workFactor: 4);
        foreach (var prefix in new[] { "$2a$", "$2b$", "$2y$" })
        {
            var variant = prefix + hash[4..];
            Assert.That(PasswordVerifier.Verify("secret", variant), Is.True, prefix);
            Assert.That(PasswordVerifier.Verify("Secret", variant), Is.False, prefix);
        }
    }

    [Test]
    public void Argon2id()
    {
        var hash = Isopoh.Cryptography.Argon2.Argon2.Hash("secret", timeCost: 1, memoryCost: 1024, parallelism: 1);
        Assert.That(hash, Does.StartWith("$argon2id$"));
        Assert.That(PasswordVerifier.Verify("secret", hash), Is.True);
        Assert.That(PasswordVerifier.Verify("secreT", hash), Is.False);
    }

    [Test]
    public void Plain_text_and_malformed_hashes()
    {
        Assert.That(PasswordVerifier.Verify("plain", "plain"), Is.True);
        Assert.That(PasswordVerifier.Verify("plain", "plai"), Is.False);
        Assert.That(PasswordVerifier.Verify("x", "$6$nodollar"), Is.False);
        Assert.That(PasswordVerifier.Verify("x", "$2y$broken"), Is.False);
        Assert.That(PasswordVerifier.Verify("x", "$argon2id$garbage"), Is.False);
    }

    private static async Task<string> OpensslPasswdAsync(string variant, string salt, string password)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "passwd", variant, "-salt", salt, "-stdin" })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(password + "\n");
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return output.Trim();
    }
}
