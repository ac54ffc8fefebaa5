namespace GptNas.Data;

/// <summary>
/// SplitMix64 (Steele et al. 2014): a tiny generator whose state is one ulong, so each image gets its own
/// stream from (seed, epoch, index) for free, and results do not depend on which thread drew them.
/// </summary>
internal struct SplitMix64(ulong state)
{
    private ulong _state = state;

    /// <summary>A generator for the combination of the given values (order matters).</summary>
    public static SplitMix64 For(long a, long b, long c) => new(Mix(Mix(Mix((ulong)a) ^ (ulong)b) ^ (ulong)c));

    public ulong Next() => Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform in [0, n) for small n (the modulo bias is below 2^-50).</summary>
    public int Next(int n) => (int)(Next() % (ulong)n);

    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
