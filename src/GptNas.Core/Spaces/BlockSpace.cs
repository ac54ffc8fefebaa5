using GptNas.Architectures;
using GptNas.Search;

namespace GptNas.Spaces;

/// <summary>
/// The GPT-NAS block space (§2): a ConvNormActivation stem, <see cref="BlockSpaceConfig.MinBlocks"/> to
/// <see cref="BlockSpaceConfig.MaxBlocks"/> blocks of the 15 kinds, then pooling and a classifier. Widths
/// follow the stage (one stage per down-sampling block); at most <see cref="BlockSpaceConfig.MaxDownsamples"/>
/// blocks down-sample, never the first. Every candidate returned is valid: edits are followed by repair.
/// </summary>
public sealed class BlockSpace(BlockSpaceConfig config) : ISearchSpace<Architecture>
{
    private const int CrossoverTries = 20;

    public BlockSpaceConfig Config => config;
    public string Name => "blocks";

    public Architecture Sample(Random random)
    {
        var count = random.Next(config.MinBlocks, config.MaxBlocks + 1);
        // Down-sampling positions: distinct, never the first block.
        var downsamples = Enumerable.Range(1, count - 1).OrderBy(_ => random.Next()).Take(Math.Min(config.DownsampleLimit, count - 1)).ToHashSet();
        var blocks = new List<Block>();
        var shape = StemOutput;
        var stage = 0;
        for (var i = 0; i < count; i++)
        {
            var downsample = downsamples.Contains(i);
            if (downsample) stage++;
            var block = RandomBlock(shape, Stage(stage), downsample, random);
            blocks.Add(block);
            shape = block.OutputOn(shape);
        }
        return Build(blocks);
    }

    public (Architecture First, Architecture Second) Crossover(Architecture first, Architecture second, Random random)
    {
        for (var attempt = 0; attempt < CrossoverTries; attempt++)
        {
            var i = random.Next(first.Blocks.Count + 1);
            var j = random.Next(second.Blocks.Count + 1);
            var a = Build(first.Blocks.Take(i).Concat(second.Blocks.Skip(j)));
            var b = Build(second.Blocks.Take(j).Concat(first.Blocks.Skip(i)));
            if (Admissible(a) && Admissible(b)) return (a, b);
        }
        return (first, second);
    }

    public (Architecture Child, SearchOperator Operator) Mutate(Architecture parent, Random random)
    {
        // Roulette over the operators that can apply; equal weights (§6 leaves them open).
        var operators = new List<SearchOperator> { SearchOperator.Alter };
        if (parent.Blocks.Count < config.MaxBlocks) operators.Add(SearchOperator.Add);
        if (parent.Blocks.Count > config.MinBlocks) operators.Add(SearchOperator.Remove);
        var name = operators[random.Next(operators.Count)];
        var blocks = parent.Blocks.ToList();
        var shapes = parent.Shapes();
        switch (name)
        {
            case SearchOperator.Add:
                var at = random.Next(1, blocks.Count + 1);
                var incoming = shapes[parent.Stem.Count + at];
                blocks.Insert(at, RandomBlock(incoming, incoming.Channels, downsample: false, random));
                break;
            case SearchOperator.Remove:
                blocks.RemoveAt(random.Next(blocks.Count));
                break;
            default:
                var index = random.Next(blocks.Count);
                var input = shapes[parent.Stem.Count + index];
                var output = shapes[parent.Stem.Count + index + 1];
                var downsample = output.Height < input.Height;
                var width = SetsWidthOrKeep(blocks[index], input, random);
                blocks[index] = blocks[index].Definition.Create(input, width, downsample, random) ?? RandomBlock(input, width, downsample, random);
                break;
        }
        var child = Build(blocks);
        return (Admissible(child) ? child : parent, name);
    }

    public int GeneCount(Architecture candidate) => candidate.Blocks.Count;
    public string Encode(Architecture candidate) => candidate.Canonical;
    public Architecture Decode(string text) => Architecture.Parse(text);
    public string Hash(Architecture candidate) => candidate.Hash;

    /// <summary>Shape leaving the stem.</summary>
    public Shape StemOutput => Stem.OutputOn(config.Input);

    public Block Stem => Block.Of(BlockKind.ConvNormActivation, ("out", config.Widths[0]), ("kernel", 3), ("stride", config.StemStride));

    /// <summary>Width of the stage after <paramref name="downsamples"/> down-sampling blocks.</summary>
    public int Stage(int downsamples) => config.Widths[Math.Min(downsamples, config.Widths.Count - 1)];

    /// <summary>Stem + blocks + head, repaired so every block fits.</summary>
    public Architecture Build(IEnumerable<Block> blocks) =>
        new Architecture(config.Input, config.Classes, [Stem], blocks, config.Dropout).Repair();

    /// <summary>Within the length and down-sampling limits, the first block not down-sampling.</summary>
    public bool Admissible(Architecture candidate)
    {
        if (candidate.Blocks.Count < config.MinBlocks || candidate.Blocks.Count > config.MaxBlocks) return false;
        var downsampling = candidate.DownsamplingBlocks();
        return downsampling is not [true, ..] && downsampling.Count(d => d) <= config.DownsampleLimit;
    }

    private Block RandomBlock(Shape input, int width, bool downsample, Random random)
    {
        var kinds = config.Kinds.Select(BlockKinds.Of).Where(k => !downsample || k.CanDownsample).ToList();
        for (var attempt = 0; attempt < 32; attempt++)
            if (kinds[random.Next(kinds.Count)].Create(input, width, downsample, random) is { } block) return block;
        // Always possible: a plain conv fits any input of 2x2 or more.
        return BlockKinds.Of(BlockKind.Conv).Create(input, width, downsample && Math.Min(input.Height, input.Width) >= 2, random)!;
    }

    private int SetsWidthOrKeep(Block block, Shape input, Random random) =>
        block.Definition.SetsWidth ? config.Widths[random.Next(config.Widths.Count)] : input.Channels;
}
