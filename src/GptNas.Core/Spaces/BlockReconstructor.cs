using GptNas.Architectures;
using GptNas.Search;

namespace GptNas.Spaces;

/// <summary>
/// GPT-NAS §5 on the block space: walk the blocks in order; an eliminated block is replaced by the block the
/// predictor proposes for the rebuilt prefix, instantiated to fit the incoming shape (its width is the list
/// width nearest the predicted layer's, and it down-samples when the predicted layer does and the budget
/// allows); kept blocks are repaired to their new input. The result is always a valid, admissible candidate.
/// </summary>
public sealed class BlockReconstructor(BlockSpace space, IBlockPredictor predictor) : ICandidatePrior<Architecture>
{
    public (Architecture Candidate, IReadOnlyList<int> Predicted) Rebuild(Architecture candidate, IReadOnlyList<int> eliminated, Random random)
    {
        var config = space.Config;
        var remove = eliminated.ToHashSet();
        var blocks = new List<Block>();
        var predicted = new List<int>();
        var shape = space.StemOutput;
        var downsamples = 0;
        for (var i = 0; i < candidate.Blocks.Count; i++)
        {
            var budget = blocks.Count > 0 && downsamples < config.DownsampleLimit;
            var block = remove.Contains(i) ? Predict(blocks, shape, budget, random) : Keep(candidate.Blocks[i], shape, budget);
            if (block is null) continue;
            if (remove.Contains(i)) predicted.Add(blocks.Count);
            var next = block.OutputOn(shape);
            if (next.Height < shape.Height) downsamples++;
            blocks.Add(block);
            shape = next;
        }
        var rebuilt = space.Build(blocks);
        return space.Admissible(rebuilt) ? (rebuilt, predicted) : (candidate, []);
    }

    private Block? Predict(List<Block> blocks, Shape incoming, bool mayDownsample, Random random)
    {
        var allowed = space.Config.Kinds.Where(k => BlockKinds.Of(k).Create(incoming, incoming.Channels, false, FirstChoice.Instance) is not null).ToHashSet();
        var prediction = predictor.Predict(space.Build(blocks), allowed, random);
        var width = Nearest(prediction.OutChannels ?? incoming.Channels);
        var downsample = prediction.Downsamples && mayDownsample;
        var kind = BlockKinds.Of(prediction.Kind);
        return kind.Create(incoming, width, downsample, random) ?? kind.Create(incoming, width, false, random);
    }

    /// <summary>A kept block, repaired to its input; it stops down-sampling when the budget is spent.</summary>
    private static Block? Keep(Block block, Shape incoming, bool mayDownsample)
    {
        var fitted = block.FitTo(incoming);
        if (fitted is null || mayDownsample || fitted.OutputOn(incoming).Height == incoming.Height) return fitted;
        return fitted.Has("stride") ? fitted.With("stride", 1).FitTo(incoming) : null;
    }

    private int Nearest(int channels) => space.Config.Widths.MinBy(w => Math.Abs(Math.Log((double)w / Math.Max(1, channels))));

    /// <summary>
    /// Draws nothing: every "random" choice is the lowest. For the feasibility check of a kind, where the drawn
    /// settings (kernel 3 or 1 at same padding, activation, SE ratio) never change whether the block fits.
    /// </summary>
    private sealed class FirstChoice : Random
    {
        public static readonly FirstChoice Instance = new();

        public override int Next() => 0;
        public override int Next(int maxValue) => 0;
        public override int Next(int minValue, int maxValue) => minValue;
        public override double NextDouble() => 0;
        protected override double Sample() => 0;
    }
}

/// <summary>A predictor without knowledge: uniform over allowed kinds. For tests and as a control for the GPT.</summary>
public sealed class UniformBlockPredictor(IReadOnlyList<int> widths) : IBlockPredictor
{
    public BlockPrediction Predict(Architecture prefix, IReadOnlySet<BlockKind> allowedKinds, Random random)
    {
        var kinds = allowedKinds.Order().ToList();
        return new BlockPrediction(kinds[random.Next(kinds.Count)], widths[random.Next(widths.Count)], random.Next(4) == 0);
    }
}
