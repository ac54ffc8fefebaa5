using System.Globalization;
using GptNas.Architectures;

namespace GptNas.Corpora;

/// <summary>How a convolution's channels are grouped, as a token says it: the count itself varies with the width.</summary>
public enum Grouping
{
    /// <summary>groups=1: a dense convolution.</summary>
    None,
    /// <summary>groups = input channels: depthwise (EfficientNet, ShuffleNetV2).</summary>
    Depthwise,
    /// <summary>Any other count (ResNeXt, RegNet).</summary>
    Grouped,
}

/// <summary>
/// The vocabulary key of a layer unit (GPT-NAS §3): what the layer does, written relative to where it sits so
/// that it means the same in every network. Example: <c>conv stage=1 ratio=+2 kernel=3 stride=2 padding=1 dilation=1 groups=1 bias=0</c>.
/// </summary>
/// <remarks>
/// What varies between the corpora and the search is the input size, the stem and the widths, so neither is
/// written as such (docs/tokens.md argues the choice):
/// <list type="bullet">
/// <item><c>stage</c>: how many times the map has been halved since the first block's input (the stem's output),
/// negative inside a stem that down-samples; <c>g</c> for a globally pooled map. A ResNet's first stage (at 1/4 of
/// a 224 image), a NAS-Bench-101 cell's (at full size) and a 28x28 candidate's first block are all stage 0. The
/// halvings are measured, not guessed from the ratio of sizes (28 / 4 is 7, not 8): the network is also flattened
/// at a <see cref="ReferenceSize"/> square input, where every stride divides exactly.</item>
/// <item><c>ratio</c>: output over input channels in half-octaves (<c>+2</c> doubles, <c>-4</c> quarters, rounded);
/// <c>img</c> for the layer that reads the image. A width is thus known only relative to the layer before it.</item>
/// <item><c>groups</c>: <c>1</c>, <c>dw</c> (depthwise) or <c>g</c> (any other grouping).</item>
/// </list>
/// A pooling to 1x1 from a spatial map has <c>kernel=g</c>. An fc unit is the bare <c>fc</c>.
/// </remarks>
public sealed class LayerToken : IEquatable<LayerToken>
{
    /// <summary>The side of the square input at which halvings are measured.</summary>
    public const int ReferenceSize = 4096;

    /// <summary>The <see cref="Stage"/> of a globally pooled map.</summary>
    public const int GlobalStage = int.MinValue;

    public LayerCategory Category { get; }
    /// <summary>Halvings of the input map since the first block's input; <see cref="GlobalStage"/> when pooled to 1x1.</summary>
    public int Stage { get; }
    /// <summary>Output over input channels in half-octaves; null for the layer that reads the image.</summary>
    public int? Ratio { get; }
    /// <summary>Kernel side; 0 for a global pooling (written <c>kernel=g</c>).</summary>
    public int Kernel { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Dilation { get; }
    public Grouping Groups { get; }
    public bool Bias { get; }
    public PoolType Pool { get; }
    public string Name { get; }
    public double Value { get; }

    public bool IsGlobal => Stage == GlobalStage;

    /// <summary>True for a layer that halves (or more) its map: a strided conv or pool on a spatial map.</summary>
    public bool Downsamples => Category is LayerCategory.Conv or LayerCategory.Pool && !IsGlobal && Kernel > 0 && Stride > 1;

    /// <summary>The canonical text; two tokens are equal when their texts are.</summary>
    public string Text { get; }

    private LayerToken(LayerCategory category, int stage, int? ratio, int kernel = 0, int stride = 0, int padding = 0,
                       int dilation = 1, Grouping groups = Grouping.None, bool bias = false, PoolType pool = PoolType.Max, string name = "", double value = 0)
    {
        Category = category;
        Stage = category == LayerCategory.Fc ? GlobalStage : stage;
        Ratio = category is LayerCategory.Fc or LayerCategory.Pool ? 0 : ratio;
        Kernel = kernel;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        Bias = bias;
        Pool = pool;
        Name = name;
        Value = value;
        Text = category switch
        {
            LayerCategory.Conv => $"conv stage={StageText} ratio={RatioText} kernel={Kernel} stride={Stride} padding={Padding} dilation={Dilation} groups={GroupsText} bias={(Bias ? 1 : 0)}",
            LayerCategory.Pool => $"pool type={(Pool == PoolType.Max ? "max" : "avg")} stage={StageText} kernel={(Kernel == 0 ? "g" : Kernel.ToString(CultureInfo.InvariantCulture))} stride={Stride} padding={Padding}",
            LayerCategory.Fc => "fc",
            _ => $"other name={Name} stage={StageText} ratio={RatioText} value={Value.ToString("R", CultureInfo.InvariantCulture)}",
        };
    }

    /// <summary>This pooling with another pooling type (same stage, window, stride and padding).</summary>
    public LayerToken WithPool(PoolType type) => Category == LayerCategory.Pool
        ? new LayerToken(LayerCategory.Pool, Stage, 0, Kernel, Stride, Padding, pool: type)
        : throw new InvalidOperationException($"'{Text}' is not a pooling");

    private string StageText => IsGlobal ? "g" : Stage.ToString(CultureInfo.InvariantCulture);
    private string RatioText => Ratio is { } r ? (r > 0 ? $"+{r}" : r.ToString(CultureInfo.InvariantCulture)) : "img";
    private string GroupsText => Groups switch { Grouping.None => "1", Grouping.Depthwise => "dw", _ => "g" };

    /// <summary>
    /// The token of <paramref name="unit"/>, given the same unit of the network flattened at the reference size and
    /// the halving factor (at the reference size) of the first block's input.
    /// </summary>
    public static LayerToken Of(LayerUnit unit, LayerUnit atReference, int baseFactor, bool readsImage = false)
    {
        if (unit.Category != atReference.Category || unit.In.Channels != atReference.In.Channels || unit.Out.Channels != atReference.Out.Channels)
            throw new ArchitectureException($"'{unit}' and its reference-size counterpart '{atReference}' are not the same layer");
        var stage = StageOf(atReference.In, baseFactor);
        int? ratio = readsImage ? null : (int)Math.Round(2 * Math.Log2((double)unit.Out.Channels / unit.In.Channels));
        return unit.Category switch
        {
            LayerCategory.Conv => new LayerToken(LayerCategory.Conv, stage, ratio, unit.Kernel, unit.Stride, unit.Padding, unit.Dilation,
                                                 unit.Groups == 1 ? Grouping.None : unit.Groups == unit.In.Channels ? Grouping.Depthwise : Grouping.Grouped, unit.Bias),
            LayerCategory.Pool => new LayerToken(LayerCategory.Pool, stage, 0,
                                                 Factor(atReference.Out) == Global && stage != GlobalStage ? 0 : unit.Kernel, unit.Stride, unit.Padding, pool: unit.Pool),
            LayerCategory.Fc => new LayerToken(LayerCategory.Fc, GlobalStage, 0),
            _ => new LayerToken(LayerCategory.Other, stage, ratio, name: unit.Name, value: unit.Value),
        };
    }

    private const int Global = 0;

    // Reference size over the map's height at the reference size; 1x1 there means globally pooled.
    private static int Factor(Shape atReference) =>
        atReference.Height <= 1 ? Global : (int)Math.Round((double)ReferenceSize / atReference.Height);

    /// <summary>The <see cref="Stage"/> of a map of this size at the reference size, given the first block's <paramref name="baseFactor"/>.</summary>
    public static int StageOf(Shape atReference, int baseFactor)
    {
        var factor = Factor(atReference);
        return factor == Global ? GlobalStage : (int)Math.Round(Math.Log2((double)factor / baseFactor));
    }

    /// <summary>The tokens of an architecture at its own input size; its stem ends where its first block begins.</summary>
    public static IReadOnlyList<LayerToken> Encode(Architecture architecture)
    {
        var units = architecture.Flatten(out var spans);
        var stemUnits = spans.FirstOrDefault(s => !s.IsStem) is { Block: not null } first ? first.FirstUnit : units.Count - architecture.HeadUnits;
        return Encode(size => architecture.WithInput(size, architecture.Classes).Flatten(), architecture.Input, stemUnits);
    }

    /// <summary>
    /// The tokens of the network that <paramref name="flatten"/> writes for a given input shape, at
    /// <paramref name="input"/>: it is called twice, at the input and at the reference size. Its first
    /// <paramref name="stemUnits"/> layers are the stem; stages count from the input of the layer after them.
    /// </summary>
    public static IReadOnlyList<LayerToken> Encode(Func<Shape, IReadOnlyList<LayerUnit>> flatten, Shape input, int stemUnits)
    {
        var units = flatten(input);
        var reference = flatten(new Shape(input.Channels, ReferenceSize, ReferenceSize));
        if (units.Count != reference.Count)
            throw new ArchitectureException($"the network has {units.Count} layers at {input} but {reference.Count} at the reference size; its layers must not depend on the input size");
        var baseFactor = BaseFactor(reference, stemUnits);
        var tokens = new LayerToken[units.Count];
        for (var i = 0; i < tokens.Length; i++) tokens[i] = Of(units[i], reference[i], baseFactor, readsImage: i == 0);
        return tokens;
    }

    /// <summary>The halving factor of the first block's input (the layer after the stem), at the reference size.</summary>
    public static int BaseFactor(IReadOnlyList<LayerUnit> atReference, int stemUnits) =>
        Math.Max(1, Factor(atReference[Math.Clamp(stemUnits, 0, atReference.Count - 1)].In));

    /// <summary>Reads the canonical text; errors name the line and the field. <paramref name="line"/> is only for messages.</summary>
    public static LayerToken Parse(string text, int line = 1)
    {
        var fields = new FieldReader(text, line);
        LayerToken token = fields.Head switch
        {
            "conv" => new LayerToken(LayerCategory.Conv, StageField(fields), RatioField(fields), fields.Int("kernel"), fields.Int("stride"),
                                     fields.Int("padding", 0), fields.Int("dilation"), GroupsField(fields), fields.Int("bias", 0, 1) == 1),
            "pool" => ParsePool(fields),
            "fc" => new LayerToken(LayerCategory.Fc, GlobalStage, 0),
            "other" => new LayerToken(LayerCategory.Other, StageField(fields), RatioField(fields), name: fields.Name("name"), value: fields.Double("value")),
            _ => throw fields.Error($"unknown layer category '{fields.Head}'; expected conv, pool, fc or other"),
        };
        fields.EnsureAllUsed();
        if (token.Text != text.Trim()) throw fields.Error($"token is not in canonical form; expected '{token.Text}'");
        return token;
    }

    private static LayerToken ParsePool(FieldReader fields)
    {
        var type = fields.Choice("type", "max", "avg") == "max" ? PoolType.Max : PoolType.Avg;
        var stage = StageField(fields);
        var kernel = fields.Raw("kernel") == "g" ? 0 : fields.Int("kernel");
        return new LayerToken(LayerCategory.Pool, stage, 0, kernel, fields.Int("stride"), fields.Int("padding", 0), pool: type);
    }

    private static int StageField(FieldReader fields)
    {
        var raw = fields.Raw("stage");
        if (raw == "g") return GlobalStage;
        return int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var stage) ? stage
            : throw fields.Error($"field 'stage' must be a whole number of halvings such as 0, 2 or -1, or g for a pooled map, got '{raw}'");
    }

    private static int? RatioField(FieldReader fields)
    {
        var raw = fields.Raw("ratio");
        if (raw == "img") return null;
        return int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ratio) ? ratio
            : throw fields.Error($"field 'ratio' must be half-octaves such as +2, 0 or -4, or img, got '{raw}'");
    }

    private static Grouping GroupsField(FieldReader fields) => fields.Choice("groups", "1", "dw", "g") switch
    {
        "1" => Grouping.None,
        "dw" => Grouping.Depthwise,
        _ => Grouping.Grouped,
    };

    public override string ToString() => Text;
    public bool Equals(LayerToken? other) => other is not null && Text == other.Text;
    public override bool Equals(object? obj) => obj is LayerToken other && Equals(other);
    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);
}
