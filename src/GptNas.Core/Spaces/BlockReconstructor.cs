using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Search;
using GptNas.Trials;

namespace GptNas.Spaces;

/// <summary>
/// GPT-NAS §5 on the block space: walk the blocks in order; an eliminated block is replaced by the block the
/// predictor proposes for the rebuilt prefix; kept blocks are repaired to their new input. The result is always a
/// valid, admissible candidate, or the original one when the rebuild breaks the space's limits.
/// </summary>
/// <remarks>
/// The prediction reaches the network as the predictor said it: every block the space can build at the position
/// (<see cref="BlockDefinition.Variants"/>: each list width and the width the predicted layer asks for, with and
/// without down-sampling, every kernel, activation and squeeze-excitation choice) is written as layer tokens, the
/// predicted layer is drawn only among the layers such blocks begin with, and the block of the predicted kind whose
/// layers follow the predicted ones longest is built. A predictor that proposes no layers (the uniform control) gets a
/// random width from the list and down-samples one time in four.
/// <para>With <paramref name="keepDownsamples"/> the rebuilt network down-samples as many times as the candidate did: the
/// eliminated blocks' down-samplings are the rebuilt positions' to place, so a position must down-sample when the
/// positions left could not place them otherwise, and may not once they are placed; in between the predictor chooses.</para>
/// </remarks>
public sealed class BlockReconstructor(BlockSpace space, IBlockPredictor predictor, bool keepDownsamples = true) : ICandidatePrior<Architecture>
{
    public Reconstruction<Architecture> Rebuild(Architecture candidate, IReadOnlyList<int> eliminated, Random random)
    {
        var config = space.Config;
        var remove = eliminated.ToHashSet();
        var blocks = new List<Block>();
        var predicted = new List<int>();
        var asPredicted = new HashSet<int>();
        var counts = new Counts();
        var shape = space.StemOutput;
        var downsamples = 0;
        var owed = keepDownsamples ? Owed(candidate, remove) : default;
        for (var i = 0; i < candidate.Blocks.Count; i++)
        {
            var budget = blocks.Count > 0 && downsamples < config.DownsampleLimit;
            Block? block;
            if (remove.Contains(i))
            {
                var (mayDownsample, mustDownsample) = keepDownsamples
                    ? (budget && owed.Down[i] - downsamples > 0, budget && owed.Down[i] - downsamples >= owed.Positions[i])
                    : (budget, false);
                (block, var followed) = Predict(blocks, shape, mayDownsample, mustDownsample, random, counts);
                if (block is null) continue;
                if (followed) asPredicted.Add(blocks.Count);
                predicted.Add(blocks.Count);
            }
            else if ((block = Keep(candidate.Blocks[i], shape, budget)) is null) continue;
            var next = block.OutputOn(shape);
            if (next.Height < shape.Height) downsamples++;
            blocks.Add(block);
            shape = next;
        }
        var rebuilt = space.Build(blocks);
        var repaired = predicted.Where(p => rebuilt.Blocks[p].Text != blocks[p].Text).ToHashSet();
        counts.Add(TrialMetrics.PriorBlocks, predicted.Count);
        counts.Add(TrialMetrics.PriorRepaired, repaired.Count);
        counts.Add(TrialMetrics.PriorBlocksAsPredicted, asPredicted.Count(p => !repaired.Contains(p)));
        if (space.Admissible(rebuilt)) return new Reconstruction<Architecture>(rebuilt, predicted, counts.Values);
        counts.Add(TrialMetrics.PriorDiscarded, 1);
        return new Reconstruction<Architecture>(candidate, [], counts.Values);
    }

    /// <summary>
    /// For each block i: the down-samplings the rebuilt network must have made before the kept blocks after i make theirs
    /// (the candidate's count less those kept blocks'), and how many eliminated positions from i on are left to make them.
    /// </summary>
    private (int[] Down, int[] Positions) Owed(Architecture candidate, HashSet<int> remove)
    {
        var count = candidate.Blocks.Count;
        var downsamples = candidate.DownsamplingBlocks();
        var (down, positions) = (new int[count], new int[count]);
        var (total, keptAfter, eliminatedFrom) = (downsamples.Count(d => d), 0, 0);
        for (var i = count - 1; i >= 0; i--)
        {
            if (remove.Contains(i)) eliminatedFrom++;
            down[i] = total - keptAfter;
            positions[i] = eliminatedFrom;
            if (!remove.Contains(i) && downsamples[i]) keptAfter++;
        }
        return (down, positions);
    }

    /// <summary>The predicted block at this position, and whether it begins with the predicted layer.</summary>
    private (Block? Block, bool Followed) Predict(List<Block> blocks, Shape incoming, bool mayDownsample, bool mustDownsample, Random random, Counts counts)
    {
        var prefix = space.Build(blocks);
        var position = Position.Of(space, prefix, incoming, mayDownsample, mustDownsample);
        var prediction = predictor.Predict(prefix, position.Question, random);
        counts.Add(prediction.Counts);
        if (!position.Variants.TryGetValue(prediction.Kind, out var variants))
            throw new GptNasException($"the block predictor proposed {prediction.Kind}, which cannot be built here");
        if (prediction.Layers.Count == 0)
        {
            // No layers to follow (the uniform control): a list width, down-sampling one time in four where the count leaves a choice.
            var kind = BlockKinds.Of(prediction.Kind);
            var width = space.Config.Widths[random.Next(space.Config.Widths.Count)];
            var downsample = position.MustDownsample || (random.Next(4) == 0 && mayDownsample);
            return (kind.Create(incoming, width, downsample, random) ?? kind.Create(incoming, width, false, random), false);
        }
        // The width the predicted layer asks for is kept where it lies within the list's range.
        if (prediction.Layers[0].Ratio is { } ratio)
        {
            var width = (int)Math.Round(incoming.Channels * Math.Pow(2, ratio / 2.0));
            if (width >= space.Config.Widths.Min() && width <= space.Config.Widths.Max() && !variants.Any(v => v.Block.Has("out") && v.Block.Int("out") == width))
                variants = [.. variants, .. position.VariantsOf(BlockKinds.Of(prediction.Kind), [width]).Select(b => (b, position.TokensOf(b)))];
        }
        // The variant whose layers follow the prediction longest; ties broken by the most layers matched, then at random.
        var scored = variants.Select(v => (v.Block, v.Tokens, Follow: Follow(v.Tokens, prediction.Layers), Matched: Matched(v.Tokens, prediction.Layers))).ToList();
        var best = scored.Where(v => v.Follow == scored.Max(s => s.Follow)).ToList();
        best = best.Where(v => v.Matched == best.Max(s => s.Matched)).ToList();
        var chosen = best[random.Next(best.Count)];
        counts.Add(TrialMetrics.PriorRolloutMatched, chosen.Follow);
        counts.Add(TrialMetrics.PriorRolloutLayers, Math.Min(chosen.Tokens.Count, prediction.Layers.Count));
        return (chosen.Block, chosen.Follow > 0);
    }

    private static int Follow(IReadOnlyList<LayerToken> built, IReadOnlyList<LayerToken> predicted)
    {
        var n = 0;
        while (n < built.Count && n < predicted.Count && built[n].Equals(predicted[n])) n++;
        return n;
    }

    private static int Matched(IReadOnlyList<LayerToken> built, IReadOnlyList<LayerToken> predicted) =>
        Enumerable.Range(0, Math.Min(built.Count, predicted.Count)).Count(i => built[i].Equals(predicted[i]));

    /// <summary>A kept block, repaired to its input; it stops down-sampling when the budget is spent.</summary>
    private static Block? Keep(Block block, Shape incoming, bool mayDownsample)
    {
        var fitted = block.FitTo(incoming);
        if (fitted is null || mayDownsample || fitted.OutputOn(incoming).Height == incoming.Height) return fitted;
        return fitted.Has("stride") ? fitted.With("stride", 1).FitTo(incoming) : null;
    }

    /// <summary>Every block the space can build after a prefix, each with its layer tokens there.</summary>
    private sealed record Position(IReadOnlyDictionary<BlockKind, List<(Block Block, IReadOnlyList<LayerToken> Tokens)>> Variants, BlockPosition Question,
        Func<Block, IReadOnlyList<LayerToken>> TokensOf, Func<BlockDefinition, IEnumerable<int>, IEnumerable<Block>> VariantsOf, bool MustDownsample)
    {
        /// <param name="mustDownsample">Only blocks that down-sample, where some kind can; else as <paramref name="mayDownsample"/> says.</param>
        public static Position Of(BlockSpace space, Architecture prefix, Shape incoming, bool mayDownsample, bool mustDownsample)
        {
            IEnumerable<Block> VariantsOf(BlockDefinition kind, IEnumerable<int> widths, bool must) =>
                kind.Variants(incoming, widths, mayDownsample).Where(b => !must || b.OutputOn(incoming).Height < incoming.Height);
            mustDownsample &= mayDownsample;
            // Tokens are relative to where the first block begins, measured at the reference size (see LayerToken).
            var reference = new Shape(prefix.Input.Channels, LayerToken.ReferenceSize, LayerToken.ReferenceSize);
            var atReference = prefix.WithInput(reference, prefix.Classes).Flatten(out var spans);
            var headStart = atReference.Count - prefix.HeadUnits;
            var stemUnits = spans.FirstOrDefault(s => !s.IsStem) is { Block: not null } first ? first.FirstUnit : headStart;
            var baseFactor = LayerToken.BaseFactor(atReference, stemUnits);
            var incomingAtReference = atReference[headStart].In;
            var widths = space.Config.Widths.Append(incoming.Channels).ToList();
            Dictionary<BlockKind, List<(Block, IReadOnlyList<LayerToken>)>> Buildable(bool must) => space.Config.Kinds
                .Select(kind => (kind, List: VariantsOf(BlockKinds.Of(kind), widths, must).Select(b => (b, Tokens(b, incoming, incomingAtReference, baseFactor))).ToList()))
                .Where(k => k.List.Count > 0).ToDictionary(k => k.kind, k => k.List);
            var variants = Buildable(mustDownsample);
            // Too small a map for any kind to down-sample: the candidate loses a down-sampling rather than the rebuild failing.
            if (variants.Count == 0 && mustDownsample) (variants, mustDownsample) = (Buildable(false), false);
            var firstLayers = variants.Values.SelectMany(v => v).Select(v => v.Item2[0]).ToHashSet();
            var stage = LayerToken.StageOf(incomingAtReference, baseFactor);
            var question = new BlockPosition(
                variants.Keys.ToHashSet(), firstLayers, stage,
                layer => variants.Where(kv => kv.Value.Any(v => v.Item2[0].Equals(layer))).Select(kv => kv.Key).ToHashSet(),
                kind => variants.TryGetValue(kind, out var v) ? v.Max(x => x.Item2.Count) : 0);
            return new Position(variants.ToDictionary(kv => kv.Key, kv => kv.Value), question, b => Tokens(b, incoming, incomingAtReference, baseFactor),
                (kind, extra) => VariantsOf(kind, extra, mustDownsample), mustDownsample);
        }

        private static IReadOnlyList<LayerToken> Tokens(Block block, Shape incoming, Shape incomingAtReference, int baseFactor)
        {
            var units = new List<LayerUnit>();
            var reference = new List<LayerUnit>();
            block.Write(incoming, units);
            block.Write(incomingAtReference, reference);
            return units.Select((u, i) => LayerToken.Of(u, reference[i], baseFactor)).ToArray();
        }
    }

    /// <summary>Sums of <see cref="TrialMetrics"/>'s prior counts over one reconstruction.</summary>
    private sealed class Counts
    {
        public Dictionary<string, double> Values { get; } = new();

        public void Add(string key, double value) => Values[key] = Values.GetValueOrDefault(key) + value;

        public void Add(PredictionCounts c)
        {
            Add(TrialMetrics.PriorContextTokens, c.ContextTokens);
            Add(TrialMetrics.PriorContextExact, c.ContextExact);
            Add(TrialMetrics.PriorClassifierTokens, c.ClassifierTokens);
            Add(TrialMetrics.PriorClassifierExact, c.ClassifierExact);
            Add(TrialMetrics.PriorMaskRelaxed, c.MaskRelaxed ? 1 : 0);
            Add(TrialMetrics.PriorUnrealisable, c.Unrealisable ? 1 : 0);
        }
    }
}

/// <summary>A predictor without knowledge: a kind uniformly among those that fit, and no layers (the reconstruction then
/// draws the width and down-sampling). For tests and as the control for the GPT.</summary>
public sealed class UniformBlockPredictor : IBlockPredictor
{
    public BlockPrediction Predict(Architecture prefix, BlockPosition position, Random random)
    {
        var kinds = position.Kinds.Order().ToList();
        return new BlockPrediction(kinds[random.Next(kinds.Count)], [], PredictionCounts.None);
    }
}

/// <summary>
/// The trivial baseline of a corpus: a kind drawn, among those that fit, in proportion to how many blocks of that kind the
/// corpus's networks hold (uniformly where none of them does), and no layers, so that width and down-sampling are drawn as
/// <see cref="UniformBlockPredictor"/> draws them. What the GPT adds beyond it is what its context tells it.
/// </summary>
public sealed class CorpusCountBlockPredictor(IReadOnlyDictionary<BlockKind, int> blocks) : IBlockPredictor
{
    /// <summary>The blocks of each kind after the stem of <paramref name="networks"/>.</summary>
    public static CorpusCountBlockPredictor Of(IEnumerable<Architecture> networks) =>
        new(networks.SelectMany(n => n.Blocks).CountBy(b => b.Kind).ToDictionary());

    public IReadOnlyDictionary<BlockKind, int> Blocks => blocks;

    private static readonly UniformBlockPredictor Uniform = new();

    public BlockPrediction Predict(Architecture prefix, BlockPosition position, Random random)
    {
        var kinds = position.Kinds.Order().ToList();
        var total = kinds.Sum(k => blocks.GetValueOrDefault(k));
        if (total == 0) return Uniform.Predict(prefix, position, random);
        var draw = random.Next(total);
        foreach (var kind in kinds)
            if ((draw -= blocks.GetValueOrDefault(kind)) < 0) return new BlockPrediction(kind, [], PredictionCounts.None);
        throw new InvalidOperationException("unreachable: the draw is below the total");
    }
}
