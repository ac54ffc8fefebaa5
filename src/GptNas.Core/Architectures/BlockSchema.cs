using System.Globalization;

namespace GptNas.Architectures;

public enum ParamType { Int, Float, Choice }

/// <summary>One setting of a block kind: its name, type, default (null when required) and choices.</summary>
public sealed record ParamSpec(string Name, ParamType Type, string? Default, string[]? Choices = null, int Min = 1);

/// <summary>
/// The settings each block kind takes, in canonical order. Block internals are those torchvision defines,
/// so a block needs only the few numbers that torchvision's constructors take.
/// </summary>
public static class BlockSchema
{
    private static readonly string[] Activations = ["relu", "silu", "none"];

    private static ParamSpec Int(string name, int? fallback = null, int min = 1) => new(name, ParamType.Int, fallback?.ToString(CultureInfo.InvariantCulture), null, min);
    private static ParamSpec Float(string name, double fallback) => new(name, ParamType.Float, fallback.ToString("R", CultureInfo.InvariantCulture), null, 0);
    private static ParamSpec Choice(string name, string fallback, string[] choices) => new(name, ParamType.Choice, fallback, choices);

    private static readonly Dictionary<BlockKind, ParamSpec[]> Specs = new()
    {
        [BlockKind.ConvNormActivation] = [Int("out"), Int("kernel", 3), Int("stride", 1), Int("groups", 1), Choice("act", "relu", Activations)],
        [BlockKind.SqueezeExcitation] = [Int("squeeze"), Choice("act", "relu", ["relu", "silu"])],
        [BlockKind.Inception] = [Int("c1"), Int("c3r"), Int("c3"), Int("c5r"), Int("c5"), Int("pool")],
        [BlockKind.AvgPool] = [Int("kernel", 2), Int("stride", 2), Int("padding", 0, 0), Int("ceil", 0, 0)],
        [BlockKind.ResBottleneckBlock] = [Int("out"), Int("stride", 1), Int("group_width"), Float("bottleneck", 1.0), Float("se", 0.0)],
        [BlockKind.SimpleStemIN] = [Int("out", 32), Int("stride", 2)],
        [BlockKind.Bottleneck] = [Int("out"), Int("stride", 1), Int("width")],
        [BlockKind.BasicBlock] = [Int("out"), Int("stride", 1)],
        [BlockKind.GroupedBottleneck] = [Int("out"), Int("stride", 1), Int("width"), Int("groups", 32)],
        [BlockKind.WideBottleneck] = [Int("out"), Int("stride", 1), Int("width")],
        [BlockKind.InvertedResidual] = [Int("out"), Int("stride", 1)],
        [BlockKind.MaxPool] = [Int("kernel", 3), Int("stride", 2), Int("padding", 1, 0), Int("ceil", 0, 0)],
        [BlockKind.BatchNorm] = [],
        [BlockKind.ReLU] = [],
        [BlockKind.Conv] = [Int("out"), Int("kernel", 3), Int("stride", 1), Int("padding", 1, 0), Int("groups", 1), Int("bias", 0, 0)],
    };

    public static IReadOnlyList<ParamSpec> For(BlockKind kind) => Specs[kind];

    public static bool TryParseKind(string name, out BlockKind kind) =>
        Enum.TryParse(name, ignoreCase: false, out kind) && Enum.IsDefined(kind) && !int.TryParse(name, out _);

    public static string KnownKinds => string.Join(", ", Enum.GetNames<BlockKind>());
}
