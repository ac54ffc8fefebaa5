using System.Globalization;
using GptNas.Architectures;

namespace GptNas.Corpora;

/// <summary>
/// One side of a token: how far the feature map is down-sampled relative to the network input, and its
/// channels. Written <c>/4x128</c>, or <c>gx128</c> for a globally pooled map (and every fc size).
/// </summary>
public readonly record struct TokenSize(int Factor, int Channels)
{
    /// <summary>The factor of a globally pooled map (1x1 whatever the input size).</summary>
    public const int Global = 0;

    public bool IsGlobal => Factor == Global;

    public override string ToString() => IsGlobal ? $"gx{Channels}" : $"/{Factor}x{Channels}";

    public static bool TryParse(string text, out TokenSize size)
    {
        size = default;
        var x = text.IndexOf('x');
        if (x <= 0 || !int.TryParse(text.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var channels) || channels < 1) return false;
        var factor = text[..x];
        if (factor == "g") { size = new TokenSize(Global, channels); return true; }
        if (factor.Length < 2 || factor[0] != '/' ||
            !int.TryParse(factor.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var f) || f < 1) return false;
        size = new TokenSize(f, channels);
        return true;
    }
}

/// <summary>
/// The vocabulary key of a layer unit (GPT-NAS §3): the unit's text with every feature-map size written
/// relative to the network input. Example: <c>conv in=/1x64 out=/2x128 kernel=3 stride=2 padding=1 dilation=1 groups=1 bias=0</c>.
/// </summary>
/// <remarks>
/// Spatial sizes are written as the down-sampling factor from the network input (a 32x32 input and an 8x8
/// map give <c>/4</c>), so a token means the same at 28x28, 32x32 or 224x224. Channel counts are kept as
/// written: they carry the width. In and out keep both factor and channels. The factor is measured, not
/// guessed from the ratio of sizes (28 / 4 is 7, not 8): the same network is also flattened at a
/// <see cref="ReferenceSize"/> square input, where every stride divides exactly and no stage collapses
/// to 1x1, and the factor is the reference size over the unit's size there. A map that is 1x1 at the
/// reference size comes from a global pooling and is written <c>g</c> (<c>gx512</c>), and the pooling
/// that makes it has <c>kernel=g</c>: the head and the squeeze-excitation branches then read the same at
/// every input size. An fc unit keeps its plain text, <c>fc in=512 out=10</c>.
/// </remarks>
public sealed class LayerToken : IEquatable<LayerToken>
{
    /// <summary>The side of the square input at which factors are measured.</summary>
    public const int ReferenceSize = 4096;

    public LayerCategory Category { get; }
    public TokenSize In { get; }
    public TokenSize Out { get; }

    /// <summary>Kernel side; 0 for a global pooling (written <c>kernel=g</c>).</summary>
    public int Kernel { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Dilation { get; }
    public int Groups { get; }
    public bool Bias { get; }
    public PoolType Pool { get; }
    public string Name { get; }
    public double Value { get; }

    /// <summary>The canonical text; two tokens are equal when their texts are.</summary>
    public string Text { get; }

    private LayerToken(LayerCategory category, TokenSize input, TokenSize output, int kernel = 0, int stride = 0, int padding = 0,
                       int dilation = 1, int groups = 1, bool bias = false, PoolType pool = PoolType.Max, string name = "", double value = 0)
    {
        Category = category;
        In = input;
        Out = output;
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
            LayerCategory.Conv => $"conv in={In} out={Out} kernel={Kernel} stride={Stride} padding={Padding} dilation={Dilation} groups={Groups} bias={(Bias ? 1 : 0)}",
            LayerCategory.Pool => $"pool type={(Pool == PoolType.Max ? "max" : "avg")} in={In} out={Out} kernel={(Kernel == 0 ? "g" : Kernel.ToString(CultureInfo.InvariantCulture))} stride={Stride} padding={Padding}",
            LayerCategory.Fc => $"fc in={In.Channels} out={Out.Channels}",
            _ => $"other name={Name} in={In} out={Out} value={Value.ToString("R", CultureInfo.InvariantCulture)}",
        };
    }

    /// <summary>The token of <paramref name="unit"/>, given the same unit of the network flattened at the reference size.</summary>
    public static LayerToken Of(LayerUnit unit, LayerUnit atReference)
    {
        if (unit.Category != atReference.Category || unit.In.Channels != atReference.In.Channels || unit.Out.Channels != atReference.Out.Channels)
            throw new ArchitectureException($"'{unit}' and its reference-size counterpart '{atReference}' are not the same layer");
        var input = new TokenSize(Factor(atReference.In), unit.In.Channels);
        var output = new TokenSize(Factor(atReference.Out), unit.Out.Channels);
        return unit.Category switch
        {
            LayerCategory.Conv => new LayerToken(LayerCategory.Conv, input, output, unit.Kernel, unit.Stride, unit.Padding, unit.Dilation, unit.Groups, unit.Bias),
            LayerCategory.Pool => new LayerToken(LayerCategory.Pool, input, output,
                                                 output.IsGlobal && !input.IsGlobal ? 0 : unit.Kernel, unit.Stride, unit.Padding, pool: unit.Pool),
            LayerCategory.Fc => new LayerToken(LayerCategory.Fc, new TokenSize(TokenSize.Global, unit.In.Channels), new TokenSize(TokenSize.Global, unit.Out.Channels)),
            _ => new LayerToken(LayerCategory.Other, input, output, name: unit.Name, value: unit.Value),
        };
    }

    // Reference size over the map's height at the reference size; 1x1 there means globally pooled.
    private static int Factor(Shape atReference) =>
        atReference.Height <= 1 ? TokenSize.Global : (int)Math.Round((double)ReferenceSize / atReference.Height);

    /// <summary>The tokens of an architecture at its own input size.</summary>
    public static IReadOnlyList<LayerToken> Encode(Architecture architecture) =>
        Encode(size => architecture.WithInput(size, architecture.Classes).Flatten(), architecture.Input);

    /// <summary>
    /// The tokens of the network that <paramref name="flatten"/> writes for a given input shape, at
    /// <paramref name="input"/>: it is called twice, at the input and at the reference size.
    /// </summary>
    public static IReadOnlyList<LayerToken> Encode(Func<Shape, IReadOnlyList<LayerUnit>> flatten, Shape input)
    {
        var units = flatten(input);
        var reference = flatten(new Shape(input.Channels, ReferenceSize, ReferenceSize));
        if (units.Count != reference.Count)
            throw new ArchitectureException($"the network has {units.Count} layers at {input} but {reference.Count} at the reference size; its layers must not depend on the input size");
        var tokens = new LayerToken[units.Count];
        for (var i = 0; i < tokens.Length; i++) tokens[i] = Of(units[i], reference[i]);
        return tokens;
    }

    /// <summary>Reads the canonical text; errors name the line and the field. <paramref name="line"/> is only for messages.</summary>
    public static LayerToken Parse(string text, int line = 1)
    {
        var fields = new FieldReader(text, line);
        LayerToken token = fields.Head switch
        {
            "conv" => new LayerToken(LayerCategory.Conv, Size(fields, "in"), Size(fields, "out"), fields.Int("kernel"), fields.Int("stride"),
                                     fields.Int("padding", 0), fields.Int("dilation"), fields.Int("groups"), fields.Int("bias", 0, 1) == 1),
            "pool" => ParsePool(fields),
            "fc" => new LayerToken(LayerCategory.Fc, new TokenSize(TokenSize.Global, fields.Int("in")), new TokenSize(TokenSize.Global, fields.Int("out"))),
            "other" => new LayerToken(LayerCategory.Other, Size(fields, "in"), Size(fields, "out"), name: fields.Name("name"), value: fields.Double("value")),
            _ => throw fields.Error($"unknown layer category '{fields.Head}'; expected conv, pool, fc or other"),
        };
        fields.EnsureAllUsed();
        if (token.Text != text.Trim()) throw fields.Error($"token is not in canonical form; expected '{token.Text}'");
        return token;
    }

    private static LayerToken ParsePool(FieldReader fields)
    {
        var type = fields.Choice("type", "max", "avg") == "max" ? PoolType.Max : PoolType.Avg;
        var input = Size(fields, "in");
        var output = Size(fields, "out");
        var kernel = fields.Raw("kernel") == "g" ? 0 : fields.Int("kernel");
        return new LayerToken(LayerCategory.Pool, input, output, kernel, fields.Int("stride"), fields.Int("padding", 0), pool: type);
    }

    private static TokenSize Size(FieldReader fields, string key)
    {
        var raw = fields.Raw(key);
        return TokenSize.TryParse(raw, out var size) ? size
            : throw fields.Error($"field '{key}' must be a relative size such as /4x128 or gx512, got '{raw}'");
    }

    public override string ToString() => Text;
    public bool Equals(LayerToken? other) => other is not null && Text == other.Text;
    public override bool Equals(object? obj) => obj is LayerToken other && Equals(other);
    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);
}
