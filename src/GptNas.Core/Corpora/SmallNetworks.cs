using GptNas.Architectures;

namespace GptNas.Corpora;

/// <summary>
/// Networks designed for small images: ResNet-8 shapes for CPU runs (GPT-NAS §9's CPU presets) that train to about
/// 91% Fashion-MNIST test accuracy in a few epochs on two cores, the CIFAR ResNets of He et al. (2016, §4.2) and
/// airbench94. Same shape of API as <see cref="ReferenceNetworks"/>; <see cref="ArchitectureCatalog"/> covers both,
/// and a prior can learn from them beside the reference CNNs (<c>prior train --networks reference,small</c>).
/// </summary>
public static class SmallNetworks
{
    private static readonly Dictionary<string, Func<Shape, int, Architecture>> Builders = new(StringComparer.Ordinal)
    {
        // conv 3x3 stem to 16, BasicBlocks 16, 32/2, 64/2: 78,042 parameters on 3-channel input.
        ["resnet8"] = (i, c) => CifarResNet(i, c, 16, 1),
        // The same at widths 32/64/128: about 4x the parameters and FLOPs.
        ["resnet8w"] = (i, c) => CifarResNet(i, c, 32, 1),
        // He et al.'s 6n+2-layer CIFAR ResNets, n BasicBlocks a stage (resnet20: 272,474 parameters).
        ["resnet20"] = (i, c) => CifarResNet(i, c, 16, 3),
        ["resnet32"] = (i, c) => CifarResNet(i, c, 16, 5),
        ["resnet44"] = (i, c) => CifarResNet(i, c, 16, 7),
        ["resnet56"] = (i, c) => CifarResNet(i, c, 16, 9),
        ["resnet110"] = (i, c) => CifarResNet(i, c, 16, 18),
        // airbench94's network in the block space: about 1.97M parameters.
        ["airbench94"] = AirBench94,
    };

    public static IReadOnlyList<string> Names { get; } = Builders.Keys.Order(StringComparer.Ordinal).ToArray();

    public static bool Contains(string name) => Builders.ContainsKey(name);

    public static Architecture Build(string name, Shape input, int classes)
    {
        if (!Builders.TryGetValue(name, out var build))
            throw new ArchitectureException($"unknown small network '{name}'; known: {string.Join(", ", Names)}");
        return build(input, classes);
    }

    /// <summary>
    /// The network of Jordan's airbench94 (fast CIFAR-10 training, 2024): a 2x2 convolution to 24 channels without
    /// padding, with a bias and GELU (airbench's patch-whitening layer, <c>whiten=true</c> fills it from the data), then
    /// three groups of conv 3x3, 2x2 max-pool, BatchNorm, GELU, conv 3x3, BatchNorm, GELU at widths 64, 256, 256, then a
    /// 3x3 max-pool to 1x1 and the classifier. Where it differs from airbench: the classifier has a bias and no 1/9 scale
    /// on its logits (<c>classifier_lr_scale</c> = 1/81 trains as that scale does).
    /// </summary>
    private static Architecture AirBench94(Shape input, int classes)
    {
        static Block ConvGelu(int width, int kernel = 3, int pool = 1, string norm = "batch") =>
            Block.Of(BlockKind.ConvNormActivation, ("out", width), ("kernel", kernel), ("act", "gelu"), ("pool", pool), ("norm", norm));
        Block[] stem = [ConvGelu(2 * input.Channels * 2 * 2, kernel: 2, norm: "none")];
        // airbench's head pools the last 3x3 map with a 3x3 max-pool; the network's average pool then sees 1x1.
        var head = Block.Of(BlockKind.MaxPool, ("kernel", 3), ("stride", 3), ("padding", 0));
        Block[] blocks = [.. new[] { 64, 256, 256 }.SelectMany(width => new[] { ConvGelu(width, pool: 2), ConvGelu(width) }), head];
        return new Architecture(input, classes, stem, blocks);
    }

    /// <summary>
    /// A CIFAR ResNet (He et al. 2016, §4.2): conv 3x3 stem, then <paramref name="perStage"/> BasicBlocks at each of
    /// <paramref name="width"/>, 2x and 4x that width, the first of the second and third stages halving the map. Where the
    /// shape changes the shortcut is a 1x1 projection (the paper's option B), as in torchvision's BasicBlock.
    /// </summary>
    private static Architecture CifarResNet(Shape input, int classes, int width, int perStage)
    {
        Block[] stem =
        [
            Block.Of(BlockKind.Conv, ("out", width), ("kernel", 3), ("stride", 1), ("padding", 1)),
            Block.Of(BlockKind.BatchNorm),
            Block.Of(BlockKind.ReLU),
        ];
        var blocks = new[] { width, 2 * width, 4 * width }.SelectMany((stageWidth, stage) => Enumerable.Range(0, perStage)
            .Select(i => Block.Of(BlockKind.BasicBlock, ("out", stageWidth), ("stride", stage > 0 && i == 0 ? 2 : 1)))).ToArray();
        return new Architecture(input, classes, stem, blocks);
    }
}
