using static GptNas.Architectures.ParamSpec;

namespace GptNas.Architectures;

// torchvision.ops: Conv2dNormActivation and SqueezeExcitation, the building blocks of EfficientNet's MBConv.

/// <summary>
/// torchvision's <c>Conv2dNormActivation</c>: conv (no bias), BN, activation (none for a projection; GELU, as airbench
/// uses it, is written but never proposed, so the search's draws stay those of the paper's space).
/// </summary>
internal sealed class ConvNormActivationDefinition : BlockDefinition
{
    public override BlockKind Kind => BlockKind.ConvNormActivation;
    public override IReadOnlyList<ParamSpec> Settings { get; } =
        [Int("out"), Int("kernel", 3), Int("stride", 1), Int("groups", 1), Choice("act", "relu", ["relu", "silu", "gelu", "none"])];

    internal override void Write(Block b, LayerWriter w) =>
        w.Conv(b.Int("out"), b.Int("kernel"), b.Int("stride"), groups: b.Int("groups")).BatchNorm().Activation(b.Choice("act"));

    internal override IReadOnlyList<Func<Block, Shape, Block>> Fixes { get; } =
        [ArchitectureRepair.FixConvGroups, ArchitectureRepair.FixStride, ArchitectureRepair.FixConvKernel];

    private protected override Block Propose(Shape input, int width, bool downsample, int stride, Random random) =>
        Of(("out", width), ("kernel", random.Next(2) == 0 ? 3 : 1), ("stride", stride), ("act", random.Next(2) == 0 ? "relu" : "silu"));
}

/// <summary>torchvision's <c>SqueezeExcitation</c>: pool, 1x1 conv down, act, 1x1 conv up, sigmoid, scale.</summary>
internal sealed class SqueezeExcitationDefinition : BlockDefinition
{
    public override BlockKind Kind => BlockKind.SqueezeExcitation;
    public override IReadOnlyList<ParamSpec> Settings { get; } = [Int("squeeze"), Choice("act", "relu", ["relu", "silu"])];
    public override bool SetsWidth => false;

    internal override void Write(Block b, LayerWriter w) => WriteLayers(w, b.Int("squeeze"), b.Choice("act"));

    /// <summary>The layers, also written inside RegNet's ResBottleneckBlock.</summary>
    internal static void WriteLayers(LayerWriter w, int squeeze, string activation)
    {
        var input = w.Shape;
        w.GlobalAvgPool().Conv(squeeze, 1, bias: true).Activation(activation).Conv(input.Channels, 1, bias: true).Activation("sigmoid");
        w.Other("mul", input);
    }

    /// <summary>EfficientNet's squeeze: a quarter of the input channels.</summary>
    private protected override Block Propose(Shape input, int width, bool downsample, int stride, Random random) =>
        Of(("squeeze", Math.Max(1, input.Channels / 4)), ("act", random.Next(2) == 0 ? "relu" : "silu"));
}
