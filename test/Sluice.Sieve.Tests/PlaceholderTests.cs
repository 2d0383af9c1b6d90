namespace Sluice.Sieve.Tests; public class PlaceholderTests { [Test] public void Builds() => Assert.That(typeof(PlaceholderTests).Assembly.GetName().Name, Is.EqualTo("Sluice.Sieve.Tests")); }
