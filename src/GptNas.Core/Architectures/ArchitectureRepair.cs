namespace GptNas.Architectures;

/// <summary>
/// The repair step of GPT-NAS §2 and §5: after an edit (mutation, crossover, a reconstructed block) the
/// blocks after it may no longer fit their incoming shape. Repair walks the blocks in order with the
/// running shape and changes only a block that does not fit, with the smallest change that makes it
/// fit; a block that no change can fit is dropped, as a last resort. Deterministic: no randomness,
/// and the candidate changes are tried in a fixed order.
/// </summary>
public static class ArchitectureRepair
{
    /// <summary>A valid architecture (<see cref="Architecture.Validate"/> is null) as close to this one as the fixes allow.</summary>
    public static Architecture Repair(this Architecture architecture)
    {
        var shape = architecture.Input;
        var stem = RepairRun(architecture.Stem, ref shape);
        var blocks = RepairRun(architecture.Blocks, ref shape);
        return new Architecture(architecture.Input, architecture.Classes, stem, blocks, architecture.Dropout);
    }

    /// <summary>
    /// <paramref name="block"/> itself when it fits <paramref name="input"/>; otherwise the block with the
    /// fewest setting fixes that fits; null when none does (the caller drops it).
    /// </summary>
    public static Block? FitTo(this Block block, Shape input)
    {
        if (Fits(block, input)) return block;
        var fixes = block.Definition.Fixes.Where(f => !f(block, input).Equals(block)).ToArray();
        // Fewest fixes first; among equally many, the order of the kind's fixes. At most 2^3 tries.
        for (var size = 1; size <= fixes.Length; size++)
        {
            foreach (var subset in Subsets(fixes.Length, size))
            {
                var candidate = block;
                foreach (var index in subset) candidate = fixes[index](candidate, input);
                if (!candidate.Equals(block) && Fits(candidate, input)) return candidate;
            }
        }
        return null;
    }

    /// <summary>True when the block builds on <paramref name="input"/>.</summary>
    public static bool Fits(this Block block, Shape input)
    {
        try
        {
            block.OutputOn(input);
            return true;
        }
        catch (ArchitectureException) { return false; }
        catch (ArithmeticException) { return false; } // e.g. a zero group count from Block.Of
    }

    private static List<Block> RepairRun(IReadOnlyList<Block> blocks, ref Shape shape)
    {
        var kept = new List<Block>(blocks.Count);
        foreach (var block in blocks)
        {
            var fitted = block.FitTo(shape);
            if (fitted is null) continue;
            shape = fitted.OutputOn(shape);
            kept.Add(fitted);
        }
        return kept;
    }

    // Fixes shared by several kinds; each kind lists the ones it takes in BlockDefinition.Fixes, and each
    // returns the block unchanged when it does not apply.

    /// <summary>A conv's groups reduced to the largest common divisor of its channels at most their current value.</summary>
    internal static Block FixConvGroups(Block block, Shape input) =>
        block.With("groups", LargestDivisorAtMost(Gcd(input.Channels, block.Int("out")), block.Int("groups")));

    /// <summary>Pool padding at most half the kernel, as PyTorch requires.</summary>
    internal static Block FixPoolPadding(Block block, Shape input) =>
        block.With("padding", Math.Min(block.Int("padding"), block.Int("kernel") / 2));

    internal static Block FixStride(Block block, Shape input) => block.Has("stride") && block.Stride > 1 ? block.With("stride", 1) : block;

    /// <summary>The largest smaller kernel whose window fits the input.</summary>
    internal static Block FixConvKernel(Block block, Shape input) => FixKernel(block, input, isPool: false);

    /// <summary>The largest smaller kernel whose window fits the input, pool padding kept within half of it.</summary>
    internal static Block FixPoolKernel(Block block, Shape input) => FixKernel(block, input, isPool: true);

    private static Block FixKernel(Block block, Shape input, bool isPool)
    {
        for (var kernel = block.Int("kernel") - 1; kernel >= 1; kernel--)
        {
            var candidate = block.With("kernel", kernel);
            if (isPool) candidate = candidate.With("padding", Math.Min(candidate.Int("padding"), kernel / 2));
            if (Fits(candidate, input)) return candidate;
        }
        return block;
    }

    private static IEnumerable<int[]> Subsets(int count, int size)
    {
        var indices = Enumerable.Range(0, size).ToArray();
        while (true)
        {
            yield return (int[])indices.Clone();
            var i = size - 1;
            while (i >= 0 && indices[i] == count - size + i) i--;
            if (i < 0) yield break;
            indices[i]++;
            for (var j = i + 1; j < size; j++) indices[j] = indices[j - 1] + 1;
        }
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    internal static int LargestDivisorAtMost(int value, int limit)
    {
        for (var d = Math.Min(value, limit); d > 1; d--)
            if (value % d == 0) return d;
        return 1;
    }
}
