namespace GptNas;

/// <summary>
/// SplitMix64 (Steele et al. 2014): a tiny generator whose state is one ulong and whose sequence no runtime
/// version changes. <see cref="Seeds.Stream"/> keys one per (seed, a, b) for hot paths (an image of an epoch),
/// where hashing a name per draw would cost too much.
/// </summary>
public struct SplitMix64(ulong state)
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private ulong _state = state;

    /// <summary>A generator keyed by the given values (order matters).</summary>
    public static SplitMix64 For(long a, long b, long c) => new(Mix(Mix(Mix((ulong)a) ^ (ulong)b) ^ (ulong)c) + Golden);

    public ulong Next() => Finalize(_state += Golden);

    /// <summary>Uniform in [0, n) for small n (the modulo bias is below 2^-50).</summary>
    public int Next(int n) => (int)(Next() % (ulong)n);

    /// <summary>A well-mixed 64-bit hash of <paramref name="z"/>.</summary>
    public static ulong Mix(ulong z) => Finalize(z + Golden);

    private static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
