using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GptNas.Architectures;

/// <summary>
/// A CNN of the GPT-NAS block space (§2): a stem, a sequence of blocks, then global average pooling,
/// dropout and a linear classifier. Immutable; its canonical text is its identity.
/// </summary>
/// <remarks>
/// Text form (one item per line; '#' starts a comment; canonical text has none):
/// <code>
/// input 32x32x3
/// classes 10
/// stem Conv out=16 kernel=3 stride=1 padding=1 groups=1 bias=0
/// block BasicBlock out=32 stride=2
/// head dropout=0
/// </code>
/// </remarks>
public sealed class Architecture : IEquatable<Architecture>
{
    public Shape Input { get; }
    public int Classes { get; }
    public IReadOnlyList<Block> Stem { get; }
    public IReadOnlyList<Block> Blocks { get; }
    public double Dropout { get; }

    /// <summary>The canonical text: <see cref="Parse"/> of it gives back an equal architecture.</summary>
    public string Canonical { get; }

    public Architecture(Shape input, int classes, IEnumerable<Block> stem, IEnumerable<Block> blocks, double dropout = 0)
    {
        if (classes < 1) throw new ArchitectureException($"classes must be at least 1, got {classes}");
        if (dropout is < 0 or >= 1) throw new ArchitectureException($"dropout must be in [0, 1), got {dropout}");
        Input = input;
        Classes = classes;
        Stem = stem.ToArray();
        Blocks = blocks.ToArray();
        Dropout = dropout;
        Canonical = Format();
    }

    /// <summary>All blocks in forward order: stem first.</summary>
    public IEnumerable<Block> AllBlocks => Stem.Concat(Blocks);

    /// <summary>Layer units of the head, which ends every flattened architecture: global pooling, dropout when there is one, fc.</summary>
    public int HeadUnits => Dropout > 0 ? 3 : 2;

    public Architecture WithBlocks(IEnumerable<Block> blocks) => new(Input, Classes, Stem, blocks, Dropout);
    public Architecture WithInput(Shape input, int classes) => new(input, classes, Stem, Blocks, Dropout);

    /// <summary>A short content hash (SHA-256 of the canonical text): the key for duplicates and caching.</summary>
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical)))[..16];

    /// <summary>Null when the architecture builds; otherwise why not, naming the block at fault.</summary>
    public string? Validate()
    {
        try { Flatten(); return null; }
        catch (ArchitectureException e) { return e.Message; }
    }

    /// <summary>Every layer in forward order (GPT-NAS §3). Throws, naming the block, when a block does not fit.</summary>
    public IReadOnlyList<LayerUnit> Flatten() => Flatten(out _);

    /// <summary>Flattens and reports where each block's layers start, for labelling layers by block.</summary>
    public IReadOnlyList<LayerUnit> Flatten(out IReadOnlyList<(Block Block, bool IsStem, int FirstUnit)> spans)
    {
        var units = new List<LayerUnit>();
        var found = new List<(Block, bool, int)>();
        var shape = Input;
        var index = 0;
        foreach (var (block, isStem) in Stem.Select(b => (b, true)).Concat(Blocks.Select(b => (b, false))))
        {
            found.Add((block, isStem, units.Count));
            try { shape = block.Write(shape, units); }
            catch (ArchitectureException e)
            {
                var where = isStem ? $"stem {index + 1}" : $"block {index - Stem.Count + 1}";
                throw new ArchitectureException($"{where} ({block.Kind}) on input {shape}: {e.Message}");
            }
            index++;
        }
        var head = new LayerWriter(shape, units).GlobalAvgPool();
        if (Dropout > 0) head.Other("dropout", value: Dropout);
        units.Add(LayerUnit.Fc(shape.Channels, Classes));
        spans = found;
        return units;
    }

    /// <summary>Shape entering each block (stem blocks first), then the shape leaving the last one.</summary>
    public IReadOnlyList<Shape> Shapes()
    {
        var shapes = new List<Shape> { Input };
        var scratch = new List<LayerUnit>();
        foreach (var block in AllBlocks) shapes.Add(block.Write(shapes[^1], scratch));
        return shapes;
    }

    public long Parameters => Flatten().Sum(u => u.Parameters);
    public long Flops => Flatten().Sum(u => u.Flops);

    /// <summary>For each block after the stem, whether it makes the map smaller: the network's resolution schedule.</summary>
    public bool[] DownsamplingBlocks()
    {
        var shapes = Shapes();
        return Enumerable.Range(Stem.Count, Blocks.Count).Select(i => shapes[i + 1].Height < shapes[i].Height).ToArray();
    }

    /// <summary>How many blocks after the stem make the map smaller.</summary>
    public int Downsamples() => DownsamplingBlocks().Count(d => d);

    private string Format()
    {
        var text = new StringBuilder();
        text.Append("input ").Append(Input).Append('\n');
        text.Append("classes ").Append(Classes.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var block in Stem) text.Append("stem ").Append(block.Text).Append('\n');
        foreach (var block in Blocks) text.Append("block ").Append(block.Text).Append('\n');
        text.Append("head dropout=").Append(Dropout.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    /// <summary>Reads the text form; errors name the line and field. Does not check that blocks fit (see <see cref="Validate"/>).</summary>
    public static Architecture Parse(string text)
    {
        Shape? input = null;
        int? classes = null;
        double? dropout = null;
        var stem = new List<Block>();
        var blocks = new List<Block>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            if (string.IsNullOrWhiteSpace(line)) continue;
            var lineNo = i + 1;
            var head = line.TrimStart().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            var rest = head.Length > 1 ? head[1] : "";
            switch (head[0])
            {
                case "input":
                    if (!Shape.TryParse(rest.Trim(), out var shape))
                        throw new ArchitectureException($"line {lineNo}: 'input' must be a size HxWxC of positive integers, got '{rest.Trim()}'");
                    input = shape;
                    break;
                case "classes":
                    if (!int.TryParse(rest.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var c) || c < 1)
                        throw new ArchitectureException($"line {lineNo}: 'classes' must be a positive integer, got '{rest.Trim()}'");
                    classes = c;
                    break;
                case "stem" or "block":
                    if (rest.Length == 0) throw new ArchitectureException($"line {lineNo}: '{head[0]}' needs a block kind; known kinds: {BlockKinds.Known}");
                    (head[0] == "stem" ? stem : blocks).Add(Block.Parse(rest, lineNo));
                    break;
                case "head":
                    var fields = new FieldReader(line, lineNo);
                    dropout = fields.Double("dropout", 0, 0.999);
                    fields.EnsureAllUsed();
                    break;
                default:
                    throw new ArchitectureException($"line {lineNo}: unknown item '{head[0]}'; expected input, classes, stem, block or head");
            }
        }
        if (input is null) throw new ArchitectureException("missing 'input HxWxC' line");
        if (classes is null) throw new ArchitectureException("missing 'classes N' line");
        return new Architecture(input.Value, classes.Value, stem, blocks, dropout ?? 0);
    }

    public override string ToString() => Canonical;
    public bool Equals(Architecture? other) => other is not null && Canonical == other.Canonical;
    public override bool Equals(object? obj) => obj is Architecture other && Equals(other);
    public override int GetHashCode() => Canonical.GetHashCode(StringComparison.Ordinal);
}
