using System.Globalization;
using System.Text;

namespace GptNas.Architectures;

/// <summary>The four layer categories of GPT-NAS §3 (after ArcText).</summary>
public enum LayerCategory { Conv, Pool, Fc, Other }

public enum PoolType { Max, Avg }

/// <summary>
/// One layer as the text encoding sees it (GPT-NAS §3). Which properties are meaningful depends on the
/// category: conv uses kernel/stride/padding/dilation/groups/bias; pool uses type/kernel/stride/padding;
/// fc uses only its sizes; other uses a name (BN, ReLU, add, ...) and a value.
/// </summary>
/// <remarks>
/// Text forms, one per category, every field always written so the form is canonical:
/// <code>
/// conv in=32x32x3 out=32x32x64 kernel=3 stride=1 padding=1 dilation=1 groups=1 bias=0
/// pool type=max in=32x32x64 out=16x16x64 kernel=3 stride=2 padding=1
/// fc in=512 out=10
/// other name=BN in=32x32x64 out=32x32x64 value=0
/// </code>
/// </remarks>
public sealed record LayerUnit
{
    public required LayerCategory Category { get; init; }
    public required Shape In { get; init; }
    public required Shape Out { get; init; }
    public int Kernel { get; init; }
    public int Stride { get; init; }
    public int Padding { get; init; }
    public int Dilation { get; init; } = 1;
    public int Groups { get; init; } = 1;
    public bool Bias { get; init; }
    public PoolType Pool { get; init; }
    public string Name { get; init; } = "";
    public double Value { get; init; }

    public static LayerUnit Conv(Shape input, Shape output, int kernel, int stride, int padding, int groups = 1, bool bias = false, int dilation = 1) =>
        new() { Category = LayerCategory.Conv, In = input, Out = output, Kernel = kernel, Stride = stride, Padding = padding, Groups = groups, Bias = bias, Dilation = dilation };

    public static LayerUnit PoolLayer(PoolType type, Shape input, Shape output, int kernel, int stride, int padding) =>
        new() { Category = LayerCategory.Pool, Pool = type, In = input, Out = output, Kernel = kernel, Stride = stride, Padding = padding };

    public static LayerUnit Fc(int inFeatures, int outFeatures) =>
        new() { Category = LayerCategory.Fc, In = new Shape(inFeatures, 1, 1), Out = new Shape(outFeatures, 1, 1), Bias = true };

    public static LayerUnit OtherLayer(string name, Shape input, Shape output, double value = 0) =>
        new() { Category = LayerCategory.Other, Name = name, In = input, Out = output, Value = value };

    /// <summary>Learnable parameters this layer holds (fc layers always carry a bias, as nn.Linear does).</summary>
    public long Parameters => Category switch
    {
        LayerCategory.Conv => (long)Kernel * Kernel * (In.Channels / Groups) * Out.Channels + (Bias ? Out.Channels : 0),
        LayerCategory.Fc => (long)In.Channels * Out.Channels + Out.Channels,
        LayerCategory.Other when Name == "BN" => 2L * Out.Channels,
        _ => 0,
    };

    /// <summary>Multiply-accumulates of one forward pass of one image, counted as torchvision counts "FLOPS".</summary>
    public long Flops => Category switch
    {
        LayerCategory.Conv => (long)Kernel * Kernel * (In.Channels / Groups) * Out.Elements,
        LayerCategory.Fc => (long)In.Channels * Out.Channels,
        _ => 0,
    };

    public override string ToString()
    {
        var text = new StringBuilder();
        switch (Category)
        {
            case LayerCategory.Conv:
                text.Append($"conv in={In} out={Out} kernel={Kernel} stride={Stride} padding={Padding} dilation={Dilation} groups={Groups} bias={(Bias ? 1 : 0)}");
                break;
            case LayerCategory.Pool:
                text.Append($"pool type={(Pool == PoolType.Max ? "max" : "avg")} in={In} out={Out} kernel={Kernel} stride={Stride} padding={Padding}");
                break;
            case LayerCategory.Fc:
                text.Append($"fc in={In.Channels} out={Out.Channels}");
                break;
            default:
                text.Append($"other name={Name} in={In} out={Out} value={Value.ToString("R", CultureInfo.InvariantCulture)}");
                break;
        }
        return text.ToString();
    }

    /// <summary>Parses the text form; errors name the field at fault. <paramref name="line"/> is only for messages.</summary>
    public static LayerUnit Parse(string text, int line = 1)
    {
        var fields = new FieldReader(text, line);
        var category = fields.Head switch
        {
            "conv" => LayerCategory.Conv,
            "pool" => LayerCategory.Pool,
            "fc" => LayerCategory.Fc,
            "other" => LayerCategory.Other,
            _ => throw new ArchitectureException($"line {line}: unknown layer category '{fields.Head}'; expected conv, pool, fc or other"),
        };
        LayerUnit unit = category switch
        {
            LayerCategory.Conv => Conv(fields.Shape("in"), fields.Shape("out"), fields.Int("kernel"), fields.Int("stride"), fields.Int("padding", 0),
                                       fields.Int("groups"), fields.Int("bias", 0, 1) == 1, fields.Int("dilation")),
            LayerCategory.Pool => PoolLayer(fields.Choice("type", "max", "avg") == "max" ? PoolType.Max : PoolType.Avg,
                                            fields.Shape("in"), fields.Shape("out"), fields.Int("kernel"), fields.Int("stride"), fields.Int("padding", 0)),
            LayerCategory.Fc => Fc(fields.Int("in"), fields.Int("out")),
            _ => OtherLayer(fields.Name("name"), fields.Shape("in"), fields.Shape("out"), fields.Double("value")),
        };
        fields.EnsureAllUsed();
        var canonical = unit.ToString();
        if (canonical != text.Trim())
            throw new ArchitectureException($"line {line}: layer is not in canonical form; expected '{canonical}'");
        return unit;
    }
}
