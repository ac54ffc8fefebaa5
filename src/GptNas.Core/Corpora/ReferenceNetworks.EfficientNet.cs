using GptNas.Architectures;

namespace GptNas.Corpora;

public static partial class ReferenceNetworks
{
    /// <summary>
    /// torchvision's EfficientNet-B0 stage table (_efficientnet_conf): expand ratio, kernel, stride,
    /// input channels, output channels, layers; scaled per variant by width and depth multipliers.
    /// </summary>
    private static readonly (int Expand, int Kernel, int Stride, int In, int Out, int Layers)[] EfficientNetStages =
    [
        (1, 3, 1, 32, 16, 1),
        (6, 3, 2, 16, 24, 2),
        (6, 5, 2, 24, 40, 2),
        (6, 3, 2, 40, 80, 3),
        (6, 5, 1, 80, 112, 3),
        (6, 5, 2, 112, 192, 4),
        (6, 3, 1, 192, 320, 1),
    ];

    /// <summary>
    /// torchvision.models.efficientnet.EfficientNet: stem ConvNormActivation 3x3/2 (SiLU), the MBConv
    /// stages, a last 1x1 ConvNormActivation to 4x the last stage's channels, dropout, linear.
    /// Channels: _make_divisible(c * width_mult, 8); layers per stage: ceil(layers * depth_mult).
    /// </summary>
    private static Architecture EfficientNet(Shape input, int classes, double widthMult, double depthMult, double dropout)
    {
        int Channels(int c) => MakeDivisible(c * widthMult, 8);

        var stem = new[] { ConvNormActivation(Channels(EfficientNetStages[0].In), 3, 2, 1, "silu") };
        var blocks = new List<Block>();
        foreach (var stage in EfficientNetStages)
        {
            var layers = (int)Math.Ceiling(stage.Layers * depthMult);
            for (var i = 0; i < layers; i++)
            {
                // Within a stage only the first block changes width or resolution (torchvision copies the config).
                var inChannels = i == 0 ? Channels(stage.In) : Channels(stage.Out);
                blocks.AddRange(MBConv(inChannels, Channels(stage.Out), stage.Expand, stage.Kernel, i == 0 ? stage.Stride : 1));
            }
        }
        var last = Channels(EfficientNetStages[^1].Out);
        blocks.Add(ConvNormActivation(4 * last, 1, 1, 1, "silu"));
        return new Architecture(input, classes, stem, blocks, dropout);
    }

    // NOTE: deliberate deviation. EfficientNet's MBConv has no block kind of its own among the 15 of
    // GPT-NAS §2, so each MBConv is written as its constituent blocks: ConvNormActivation expand 1x1
    // (omitted when the expand ratio is 1), ConvNormActivation depthwise (groups = channels, SiLU),
    // SqueezeExcitation (squeeze = max(1, block input channels / 4), SiLU), ConvNormActivation
    // project 1x1 (no activation). Its skip-add and stochastic depth carry no parameters and are
    // dropped in the block form, so parameter counts are unchanged.
    private static IEnumerable<Block> MBConv(int inChannels, int outChannels, int expandRatio, int kernel, int stride)
    {
        var expanded = MakeDivisible(inChannels * (double)expandRatio, 8);
        if (expanded != inChannels) yield return ConvNormActivation(expanded, 1, 1, 1, "silu");
        yield return ConvNormActivation(expanded, kernel, stride, expanded, "silu");
        yield return B(BlockKind.SqueezeExcitation, ("squeeze", Math.Max(1, inChannels / 4)), ("act", "silu"));
        yield return ConvNormActivation(outChannels, 1, 1, 1, "none");
    }

    private static Block ConvNormActivation(int outChannels, int kernel, int stride, int groups, string activation) =>
        B(BlockKind.ConvNormActivation, ("out", outChannels), ("kernel", kernel), ("stride", stride), ("groups", groups), ("act", activation));
}
