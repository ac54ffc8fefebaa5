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
        var fixes = Fixes.Where(f => !f(block, input).Equals(block)).ToArray();
        // Fewest fixes first; among equally many, the order of Fixes. At most 2^5 tries.
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
            BlockLayers.Write(block, input, []);
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
            shape = BlockLayers.Write(fitted, shape, []);
            kept.Add(fitted);
        }
        return kept;
    }

    /// <summary>Each fix returns the block unchanged when it does not apply.</summary>
    private static readonly Func<Block, Shape, Block>[] Fixes = [FixGroups, FixInvertedResidual, FixPoolPadding, FixStride, FixKernel];

    /// <summary>groups / group_width reduced to the largest common divisor at most their current value.</summary>
    private static Block FixGroups(Block block, Shape input)
    {
        switch (block.Kind)
        {
            case BlockKind.Conv or BlockKind.ConvNormActivation:
                var common = Gcd(input.Channels, block.Int("out"));
                return block.With("groups", LargestDivisorAtMost(common, block.Int("groups")));
            case BlockKind.GroupedBottleneck:
                return block.With("groups", LargestDivisorAtMost(block.Int("width"), block.Int("groups")));
            case BlockKind.ResBottleneckBlock:
                var bottleneck = (int)Math.Round(block.Int("out") * block.Float("bottleneck"));
                return bottleneck < 1 ? block : block.With("group_width", LargestDivisorAtMost(bottleneck, block.Int("group_width")));
            default:
                return block;
        }
    }

    /// <summary>
    /// ShuffleNetV2's unit keeps its width at stride 1. When the width changed in front of it, it takes
    /// stride 2 (it then projects to any width) if the map can still be halved; otherwise out = in.
    /// An odd out is rounded up to even (two branches of out / 2).
    /// </summary>
    private static Block FixInvertedResidual(Block block, Shape input)
    {
        if (block.Kind != BlockKind.InvertedResidual) return block;
        var outChannels = block.Int("out");
        if (outChannels % 2 != 0) block = block.With("out", ++outChannels);
        if (block.Stride != 1 || input.Channels == outChannels) return block;
        var canHalve = input.Height >= 2 && input.Width >= 2;
        if (canHalve || input.Channels % 2 != 0) return block.With("stride", 2);
        return block.With("out", input.Channels);
    }

    /// <summary>Pool padding at most half the kernel, as PyTorch requires.</summary>
    private static Block FixPoolPadding(Block block, Shape input)
    {
        if (block.Kind is not (BlockKind.MaxPool or BlockKind.AvgPool)) return block;
        return block.With("padding", Math.Min(block.Int("padding"), block.Int("kernel") / 2));
    }

    private static Block FixStride(Block block, Shape input) => block.Has("stride") && block.Stride > 1 ? block.With("stride", 1) : block;

    /// <summary>The largest smaller kernel whose window fits the input (pool padding kept within half of it).</summary>
    private static Block FixKernel(Block block, Shape input)
    {
        if (block.Kind is not (BlockKind.Conv or BlockKind.ConvNormActivation or BlockKind.MaxPool or BlockKind.AvgPool)) return block;
        var isPool = block.Kind is BlockKind.MaxPool or BlockKind.AvgPool;
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

    private static int LargestDivisorAtMost(int value, int limit)
    {
        for (var d = Math.Min(value, limit); d > 1; d--)
            if (value % d == 0) return d;
        return 1;
    }
}
