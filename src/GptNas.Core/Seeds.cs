using System.Security.Cryptography;
using System.Text;

namespace GptNas;

/// <summary>
/// One root seed, from which every component derives its own by name (<c>Derive("ga")</c>,
/// <c>Derive($"trial/{n}")</c>), so adding a random draw in one place never shifts the draws of another.
/// </summary>
public readonly record struct Seeds(int Root)
{
    /// <summary>A stable 31-bit seed for <paramref name="name"/> (SHA-256, not string.GetHashCode, which varies per process).</summary>
    public int Derive(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{Root}/{name}"));
        return BitConverter.ToInt32(hash, 0) & int.MaxValue;
    }

    public Seeds Child(string name) => new(Derive(name));

    /// <summary>The seed a trial of the candidate with this content hash trains with, so a duplicate scores as its first copy did.</summary>
    public int Trial(string hash) => Derive($"trial/{hash}");

    public Random Random(string name) => new(Derive(name));

    /// <summary>
    /// A cheap stream keyed by (<see cref="Root"/>, <paramref name="a"/>, <paramref name="b"/>) with no hashing,
    /// for hot paths that need one per item (an image of an epoch); the same keys give the same stream on any thread.
    /// </summary>
    public SplitMix64 Stream(long a, long b) => SplitMix64.For(Root, a, b);
}
