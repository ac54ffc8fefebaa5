using static GptNas.Architectures.ParamSpec;

namespace GptNas.Architectures;

// torchvision.ops: Conv2dNormActivation and SqueezeExcitation, the building blocks of EfficientNet's MBConv.

/// <summary>
/// torchvision's <c>Conv2dNormActivation</c>: conv (no bias), BN, activation (none for a projection). For airbench94's
/// layers, never proposed so that the search's draws stay those of the paper's space: the GELU activation; <c>norm=none</c>,
/// a conv with a bias and no BN (torchvision's <c>norm_layer=None</c>); <c>pool=P</c>, a P x P max-pool between the conv
/// and the BN (airbench's conv groups pool before they normalize).
/// </summary>
internal sealed class ConvNormActivationDefinition : BlockDefinition
{
    public override BlockKind Kind => BlockKind.ConvNormActivation;
    public override IReadOnlyList<ParamSpec> Settings { get; } =
    [
        Int("out"), Int("kernel", 3), Int("stride", 1), Int("groups", 1), Choice("act", "relu", ["relu", "silu", "gelu", "none"]),
        Int("pool", 1) with { OmittedAtDefault = true }, Choice("norm", "batch", ["batch", "none"]) with { OmittedAtDefault = true },
    ];

    internal override void Write(Block b, LayerWriter w)
    {
        var norm = b.Choice("norm") == "batch";
        w.Conv(b.Int("out"), b.Int("kernel"), b.Int("stride"), groups: b.Int("groups"), bias: !norm);
        if (b.Int("pool") > 1) w.Pool(PoolType.Max, b.Int("pool"), b.Int("pool"), 0);
        if (norm) w.BatchNorm();
        w.Activation(b.Choice("act"));
    }

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
