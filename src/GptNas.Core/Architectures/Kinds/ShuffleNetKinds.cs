using static GptNas.Architectures.ParamSpec;

namespace GptNas.Architectures;

// torchvision.models.shufflenetv2: InvertedResidual.

/// <summary>ShuffleNetV2's unit: split (stride 1) or two down-sampling branches, concat, channel shuffle.</summary>
internal sealed class InvertedResidualDefinition : BlockDefinition
{
    public override BlockKind Kind => BlockKind.InvertedResidual;
    public override IReadOnlyList<ParamSpec> Settings { get; } = [Int("out"), Int("stride", 1)];

    internal override void Write(Block b, LayerWriter w)
    {
        var input = w.Shape;
        var outChannels = b.Int("out");
        var stride = b.Int("stride");
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
        w.SyncToLastUnit();
    }

    internal override IReadOnlyList<Func<Block, Shape, Block>> Fixes { get; } = [FixWidth, ArchitectureRepair.FixStride];

    /// <summary>Down-sampling units project to any even width; the others keep their input's width.</summary>
    private protected override Block Propose(Shape input, int width, bool downsample, int stride, Random random) =>
        downsample ? Of(("out", width % 2 == 0 ? width : width + 1), ("stride", 2)) : Of(("out", input.Channels), ("stride", 1));

    /// <summary>
    /// The unit keeps its width at stride 1. When the width changed in front of it, it takes stride 2 (it then
    /// projects to any width) if the map can still be halved; otherwise out = in. An odd out is rounded up to
    /// even (two branches of out / 2).
    /// </summary>
    private static Block FixWidth(Block block, Shape input)
    {
        var outChannels = block.Int("out");
        if (outChannels % 2 != 0) block = block.With("out", ++outChannels);
        if (block.Stride != 1 || input.Channels == outChannels) return block;
        var canHalve = input.Height >= 2 && input.Width >= 2;
        if (canHalve || input.Channels % 2 != 0) return block.With("stride", 2);
        return block.With("out", input.Channels);
    }
}
