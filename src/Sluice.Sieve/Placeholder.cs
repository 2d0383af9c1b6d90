namespace Sluice.Sieve; internal static class Placeholder {}
