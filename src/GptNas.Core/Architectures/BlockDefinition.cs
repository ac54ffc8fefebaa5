namespace GptNas.Architectures;

/// <summary>
/// Everything about one block kind in one place: its settings, the layer units it writes (from which
/// parameters and FLOPs are summed, GPT-NAS §3), how repair fits it to an input (§2, §5), how the block
/// space creates one at random, and its traits. One instance per kind, found with <see cref="BlockKinds.Of"/>;
/// the subclasses live in <c>Kinds/</c>, one file per source-network family.
/// </summary>
public abstract class BlockDefinition
{
    public abstract BlockKind Kind { get; }

    /// <summary>The settings a block of this kind takes, in canonical order: the few numbers torchvision's constructor takes.</summary>
    public abstract IReadOnlyList<ParamSpec> Settings { get; }

    /// <summary>True when a block of this kind can halve the resolution: when it has a stride.</summary>
    public bool CanDownsample => HasStride;

    /// <summary>True when the block's output width is its own setting; otherwise it keeps its input's channels.</summary>
    public virtual bool SetsWidth => true;

    /// <summary>True when the kind has a <c>stride</c> setting.</summary>
    public bool HasStride => Settings.Any(s => s.Name == "stride");

    /// <summary>Appends the block's layers; throws <see cref="ArchitectureException"/> when it cannot take <paramref name="input"/>.</summary>
    public Shape Write(Block block, Shape input, List<LayerUnit> units)
    {
        var writer = new LayerWriter(input, units);
        Write(block, writer);
        return writer.Shape;
    }

    /// <summary>
    /// The block's layers exactly as torchvision builds it. Branching blocks are written longest path first,
    /// then their merge (add / concat); the TorchSharp modules are checked against these units.
    /// </summary>
    internal abstract void Write(Block block, LayerWriter writer);

    /// <summary>
    /// The setting changes repair may try, in order (see <see cref="ArchitectureRepair.FitTo"/>); each returns the
    /// block unchanged when it does not apply. By default: stride 1, for kinds that have a stride.
    /// </summary>
    internal virtual IReadOnlyList<Func<Block, Shape, Block>> Fixes => HasStride ? StrideFix : [];

    private static readonly Func<Block, Shape, Block>[] StrideFix = [ArchitectureRepair.FixStride];

    /// <summary>
    /// A block of this kind on <paramref name="input"/> with the requested width (stride 2 when
    /// <paramref name="downsample"/>), internals following torchvision's choices; null when the kind cannot do
    /// what is asked there.
    /// </summary>
    public Block? Create(Shape input, int width, bool downsample, Random random)
    {
        if (downsample && (!CanDownsample || Math.Min(input.Height, input.Width) < 2)) return null;
        var block = Propose(input, width, downsample, downsample ? 2 : 1, random);
        return block.Fits(input) ? block : null;
    }

    /// <summary>
    /// Every distinct block <see cref="Create"/> can make on <paramref name="input"/>: each of <paramref name="widths"/>,
    /// with and without down-sampling (when <paramref name="mayDownsample"/>), and every combination of its random
    /// choices (kernel, activation, squeeze-excitation). Reconstruction picks among these the one the prior predicted.
    /// </summary>
    public IReadOnlyList<Block> Variants(Shape input, IEnumerable<int> widths, bool mayDownsample)
    {
        var found = new Dictionary<string, Block>(StringComparer.Ordinal);
        foreach (var width in widths.Distinct())
            foreach (var downsample in mayDownsample ? [false, true] : new[] { false })
                foreach (var block in ScriptedChoices.Each(random => Create(input, width, downsample, random)))
                    if (block is not null) found.TryAdd(block.Text, block);
        return found.Values.ToList();
    }

    /// <summary>The block <see cref="Create(Shape, int, bool, Random)"/> proposes, before checking that it fits.</summary>
    private protected abstract Block Propose(Shape input, int width, bool downsample, int stride, Random random);

    private protected Block Of(params (string Name, object Value)[] settings) => Block.Of(Kind, settings);
}

/// <summary>Runs a draw once for every combination of the choices it makes from its <see cref="Random"/>.</summary>
internal sealed class ScriptedChoices : Random
{
    private readonly List<int> _script = [];
    private readonly List<int> _radix = [];
    private int _position;

    public static IEnumerable<T> Each<T>(Func<Random, T> draw)
    {
        var choices = new ScriptedChoices();
        while (true)
        {
            choices._position = 0;
            yield return draw(choices);
            // Next combination: the last choice that can still grow grows, the ones after it start again.
            choices._script.RemoveRange(choices._position, choices._script.Count - choices._position);
            choices._radix.RemoveRange(choices._position, choices._radix.Count - choices._position);
            var i = choices._position - 1;
            while (i >= 0 && choices._script[i] + 1 >= choices._radix[i]) i--;
            if (i < 0) yield break;
            choices._script[i]++;
            choices._script.RemoveRange(i + 1, choices._script.Count - i - 1);
            choices._radix.RemoveRange(i + 1, choices._radix.Count - i - 1);
        }
    }

    public override int Next(int maxValue)
    {
        if (_position == _script.Count)
        {
            _script.Add(0);
            _radix.Add(Math.Max(1, maxValue));
        }
        return _script[_position++];
    }

    public override int Next(int minValue, int maxValue) => minValue + Next(maxValue - minValue);
    public override int Next() => throw new NotSupportedException("block creation draws whole choices only");
    public override double NextDouble() => throw new NotSupportedException("block creation draws whole choices only");
}
