namespace GptNas.Architectures;

/// <summary>
/// Each block kind written out as layer units, exactly as torchvision builds the block (GPT-NAS §3).
/// Branching blocks are written longest path first, then their merge (add / concat). Parameter counts
/// and FLOPs are summed from these units, so this file is the one definition of what a block contains;
/// the TorchSharp modules are checked against it.
/// </summary>
public static class BlockLayers
{
    /// <summary>Appends the block's layers; throws <see cref="ArchitectureException"/> when it cannot take <paramref name="input"/>.</summary>
    public static Shape Write(Block block, Shape input, List<LayerUnit> units)
    {
        var w = new LayerWriter(input, units);
        switch (block.Kind)
        {
            case BlockKind.Conv:
                w.Conv(block.Int("out"), block.Int("kernel"), block.Int("stride"), block.Int("padding"), block.Int("groups"), block.Int("bias") == 1);
                break;
            case BlockKind.BatchNorm: w.BatchNorm(); break;
            case BlockKind.ReLU: w.Other("ReLU"); break;
            case BlockKind.MaxPool:
            case BlockKind.AvgPool:
                w.Pool(block.Kind == BlockKind.MaxPool ? PoolType.Max : PoolType.Avg, block.Int("kernel"), block.Int("stride"), block.Int("padding"), block.Int("ceil") == 1);
                break;
            case BlockKind.ConvNormActivation:
                w.Conv(block.Int("out"), block.Int("kernel"), block.Int("stride"), groups: block.Int("groups")).BatchNorm().Activation(block.Choice("act"));
                break;
            case BlockKind.SimpleStemIN:
                w.Conv(block.Int("out"), 3, block.Int("stride")).BatchNorm().Activation("relu");
                break;
            case BlockKind.SqueezeExcitation:
                SqueezeExcitation(w, block.Int("squeeze"), block.Choice("act"));
                break;
            case BlockKind.Inception: Inception(w, block); break;
            case BlockKind.BasicBlock: BasicBlock(w, block.Int("out"), block.Int("stride")); break;
            case BlockKind.Bottleneck:
            case BlockKind.WideBottleneck:
                Bottleneck(w, block.Int("out"), block.Int("stride"), block.Int("width"), 1);
                break;
            case BlockKind.GroupedBottleneck:
                Bottleneck(w, block.Int("out"), block.Int("stride"), block.Int("width"), block.Int("groups"));
                break;
            case BlockKind.ResBottleneckBlock: ResBottleneck(w, block); break;
            case BlockKind.InvertedResidual: InvertedResidual(w, block.Int("out"), block.Int("stride")); break;
            default: throw new ArchitectureException($"no layer definition for block kind {block.Kind}");
        }
        return w.Shape;
    }

    /// <summary>torchvision.ops.SqueezeExcitation: pool, 1x1 conv down, act, 1x1 conv up, sigmoid, scale.</summary>
    internal static void SqueezeExcitation(LayerWriter w, int squeeze, string activation)
    {
        var input = w.Shape;
        w.GlobalAvgPool().Conv(squeeze, 1, bias: true).Activation(activation).Conv(input.Channels, 1, bias: true).Activation("sigmoid");
        w.Other("mul", input);
    }

    private static void Inception(LayerWriter w, Block b)
    {
        var input = w.Shape;
        // torchvision's "5x5" branch really uses a 3x3 kernel (kept for weight compatibility); so do we.
        w.Branch().Conv(b.Int("c3r"), 1).BatchNorm().Activation("relu").Conv(b.Int("c3"), 3).BatchNorm().Activation("relu");
        w.BranchFrom(input).Conv(b.Int("c5r"), 1).BatchNorm().Activation("relu").Conv(b.Int("c5"), 3).BatchNorm().Activation("relu");
        w.BranchFrom(input).Pool(PoolType.Max, 3, 1, 1, ceil: true).Conv(b.Int("pool"), 1).BatchNorm().Activation("relu");
        w.BranchFrom(input).Conv(b.Int("c1"), 1).BatchNorm().Activation("relu");
        var channels = b.Int("c1") + b.Int("c3") + b.Int("c5") + b.Int("pool");
        w.BranchFrom(input).Other("concat", input.WithChannels(channels));
        Resync(w);
    }

    private static void BasicBlock(LayerWriter w, int outChannels, int stride)
    {
        var input = w.Shape;
        var main = w.Branch().Conv(outChannels, 3, stride).BatchNorm().Activation("relu").Conv(outChannels, 3).BatchNorm();
        Shortcut(w, input, main.Shape, stride);
    }

    /// <summary>torchvision's ResNet v1.5 Bottleneck: the stride sits on the 3x3 conv; groups make it ResNeXt's.</summary>
    private static void Bottleneck(LayerWriter w, int outChannels, int stride, int width, int groups)
    {
        var input = w.Shape;
        var main = w.Branch().Conv(width, 1).BatchNorm().Activation("relu")
            .Conv(width, 3, stride, groups: groups).BatchNorm().Activation("relu")
            .Conv(outChannels, 1).BatchNorm();
        Shortcut(w, input, main.Shape, stride);
    }

    /// <summary>RegNet's ResBottleneckBlock: 1x1, grouped 3x3 (groups = width / group_width), optional SE, 1x1.</summary>
    private static void ResBottleneck(LayerWriter w, Block b)
    {
        var input = w.Shape;
        var outChannels = b.Int("out");
        var stride = b.Int("stride");
        var groupWidth = b.Int("group_width");
        var bottleneckWidth = (int)Math.Round(outChannels * b.Float("bottleneck"));
        if (bottleneckWidth < 1 || bottleneckWidth % groupWidth != 0)
            throw new ArchitectureException($"bottleneck width {bottleneckWidth} is not a multiple of group_width {groupWidth}");
        var main = w.Branch().Conv(bottleneckWidth, 1).BatchNorm().Activation("relu")
            .Conv(bottleneckWidth, 3, stride, groups: bottleneckWidth / groupWidth).BatchNorm().Activation("relu");
        var seRatio = b.Float("se");
        if (seRatio > 0)
            // Python's round() rounds half to even, as Math.Round does by default.
            SqueezeExcitation(main, Math.Max(1, (int)Math.Round(seRatio * input.Channels)), "relu");
        main.Conv(outChannels, 1).BatchNorm();
        Shortcut(w, input, main.Shape, stride);
    }

    /// <summary>The residual merge: a 1x1 projection (conv + BN) when shape changes, then add and ReLU.</summary>
    private static void Shortcut(LayerWriter w, Shape input, Shape mainOutput, int stride)
    {
        if (stride != 1 || input.Channels != mainOutput.Channels)
            w.BranchFrom(input).Conv(mainOutput.Channels, 1, stride).BatchNorm();
        w.BranchFrom(mainOutput).Other("add").Activation("relu");
        Resync(w);
    }

    /// <summary>ShuffleNetV2's unit: split (stride 1) or two down-sampling branches, concat, channel shuffle.</summary>
    private static void InvertedResidual(LayerWriter w, int outChannels, int stride)
    {
        var input = w.Shape;
        if (outChannels % 2 != 0) throw new ArchitectureException($"out={outChannels} must be even (two branches of out/2)");
        var branch = outChannels / 2;
        if (stride == 1 && input.Channels != outChannels)
            throw new ArchitectureException($"with stride 1 the input channels {input.Channels} must equal out={outChannels}; use stride 2 to change width");
        var start = stride == 1 ? w.Branch().Other("split", input.WithChannels(branch)).Shape : input;
        var main = w.BranchFrom(start).Conv(branch, 1).BatchNorm().Activation("relu")
            .Conv(branch, 3, stride, groups: branch).BatchNorm()
            .Conv(branch, 1).BatchNorm().Activation("relu");
        if (stride > 1)
            w.BranchFrom(input).Conv(input.Channels, 3, stride, groups: input.Channels).BatchNorm()
                .Conv(branch, 1).BatchNorm().Activation("relu");
        w.BranchFrom(main.Shape).Other("concat", main.Shape.WithChannels(outChannels)).Other("shuffle");
        Resync(w);
    }

    // Branch writers share the unit list; the block's output is the shape of the last unit written.
    private static void Resync(LayerWriter w) => w.SyncTo(w.Units[^1].Out);
}
