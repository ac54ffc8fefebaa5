using GptNas.Architectures;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GptNas.Networks;

/// <summary>
/// Builds the TorchSharp module of an architecture: one module per block, each exactly the layers that the
/// kind's <see cref="BlockDefinition"/> writes for it (torchvision's definitions), so the module's parameter count
/// equals <see cref="Architecture.Parameters"/>. <see cref="Block(GptNas.Architectures.Block, Shape, Device?, bool)"/>
/// is the one table from block kind to module.
/// </summary>
public static class NetworkBuilder
{
    /// <summary>
    /// Builds on <paramref name="device"/> (CPU when null). <c>torch.device("meta")</c> builds every parameter
    /// with its shape but no storage: instant, for counting parameters of large networks; it cannot run.
    /// Every weight is drawn from a private generator seeded with <paramref name="seeds"/>' "weights" derivation,
    /// never from torch's global one, so the same seeds give the same network whatever ran before.
    /// </summary>
    /// <exception cref="ArchitectureException">The architecture does not build; the message is <see cref="Architecture.Validate"/>'s.</exception>
    public static Network Build(Architecture architecture, Seeds seeds, Device? device = null)
    {
        using var generator = new Generator((ulong)seeds.Derive("weights"));
        var error = architecture.Validate();
        if (error is not null) throw new ArchitectureException(error);
        var shapes = architecture.Shapes();
        var blocks = new List<Module<Tensor, Tensor>>();
        Block? previous = null;
        foreach (var (block, i) in architecture.AllBlocks.Select((b, i) => (b, i)))
        {
            blocks.Add(Block(block, shapes[i], generator, device, ReLUInPlaceAfter(previous)));
            previous = block;
        }
        return new Network(architecture, blocks, shapes[^1].Channels, generator, device);
    }

    /// <summary>
    /// The module of one block taking <paramref name="input"/>, its weights drawn from <paramref name="generator"/>;
    /// <paramref name="reluInPlace"/> only matters for a ReLU block.
    /// </summary>
    public static Module<Tensor, Tensor> Block(Block block, Shape input, Generator generator, Device? device = null, bool reluInPlace = false)
    {
        long c = input.Channels;
        return block.Kind switch
        {
            BlockKind.Conv => PlainBlocks.Conv(c, block.Int("out"), block.Int("kernel"), block.Int("stride"), block.Int("padding"), block.Int("groups"),
                                               block.Int("bias") == 1, generator, device),
            BlockKind.BatchNorm => PlainBlocks.BatchNorm(c, device),
            BlockKind.ReLU => PlainBlocks.ReLU(reluInPlace),
            BlockKind.MaxPool => PlainBlocks.MaxPool(block.Int("kernel"), block.Int("stride"), block.Int("padding"), block.Int("ceil") == 1),
            BlockKind.AvgPool => PlainBlocks.AvgPool(block.Int("kernel"), block.Int("stride"), block.Int("padding"), block.Int("ceil") == 1),
            BlockKind.ConvNormActivation => new ConvNormActivation(c, block.Int("out"), generator, block.Int("kernel"), block.Int("stride"), block.Int("groups"),
                                                                   block.Choice("act"), device, block.Int("pool"), block.Choice("norm") == "batch"),
            BlockKind.SqueezeExcitation => new SqueezeExcitation(c, block.Int("squeeze"), generator, block.Choice("act"), device),
            BlockKind.Inception => new Inception(c, block.Int("c1"), block.Int("c3r"), block.Int("c3"), block.Int("c5r"), block.Int("c5"),
                                                 block.Int("pool"), generator, device),
            BlockKind.BasicBlock => new BasicBlock(c, block.Int("out"), generator, block.Int("stride"), device),
            BlockKind.Bottleneck or BlockKind.WideBottleneck => new Bottleneck(c, block.Int("out"), block.Int("width"), generator, block.Int("stride"), 1, device),
            BlockKind.GroupedBottleneck => new Bottleneck(c, block.Int("out"), block.Int("width"), generator, block.Int("stride"), block.Int("groups"), device),
            BlockKind.ResBottleneckBlock => new ResBottleneckBlock(c, block.Int("out"), block.Int("stride"), block.Int("group_width"), generator,
                                                                   block.Float("bottleneck"), block.Float("se"), device),
            BlockKind.SimpleStemIN => SimpleStemIN.Create(c, block.Int("out"), generator, block.Int("stride"), device),
            BlockKind.InvertedResidual => new InvertedResidual(c, block.Int("out"), block.Int("stride"), generator, device),
            _ => throw new ArchitectureException($"no module for block kind {block.Kind}"),
        };
    }

    /// <summary>
    /// A ReLU block may work in place only on a fresh result that autograd does not keep: a conv or BN output.
    /// Not on the network's input (the caller's tensor), nor on a ReLU/activation output that autograd saved.
    /// </summary>
    private static bool ReLUInPlaceAfter(Block? previous) => previous?.Kind is BlockKind.Conv or BlockKind.BatchNorm;
}
