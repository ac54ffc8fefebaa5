using GptNas.Architectures;

namespace GptNas.Corpora;

/// <summary>
/// Small reference-style networks for CPU runs (GPT-NAS §9's CPU presets): ResNet-8 shapes that train
/// to about 91% Fashion-MNIST test accuracy in a few epochs on two cores. Same shape of API as
/// <see cref="ReferenceNetworks"/>; <see cref="ArchitectureCatalog"/> covers both.
/// </summary>
public static class SmallNetworks
{
    private static readonly Dictionary<string, Func<Shape, int, Architecture>> Builders = new(StringComparer.Ordinal)
    {
        // conv 3x3 stem to 16, BasicBlocks 16, 32/2, 64/2: about 78k parameters on 3-channel input.
        ["resnet8"] = (i, c) => ResNet8(i, c, 16),
        // The same at widths 32/64/128: about 4x the parameters and FLOPs.
        ["resnet8w"] = (i, c) => ResNet8(i, c, 32),
    };

    public static IReadOnlyList<string> Names { get; } = Builders.Keys.Order(StringComparer.Ordinal).ToArray();

    public static bool Contains(string name) => Builders.ContainsKey(name);

    public static Architecture Build(string name, Shape input, int classes)
    {
        if (!Builders.TryGetValue(name, out var build))
            throw new ArchitectureException($"unknown small network '{name}'; known: {string.Join(", ", Names)}");
        return build(input, classes);
    }

    private static Architecture ResNet8(Shape input, int classes, int width)
    {
        Block[] stem =
        [
            Block.Of(BlockKind.Conv, ("out", width), ("kernel", 3), ("stride", 1), ("padding", 1)),
            Block.Of(BlockKind.BatchNorm),
            Block.Of(BlockKind.ReLU),
        ];
        Block[] blocks =
        [
            Block.Of(BlockKind.BasicBlock, ("out", width), ("stride", 1)),
            Block.Of(BlockKind.BasicBlock, ("out", 2 * width), ("stride", 2)),
            Block.Of(BlockKind.BasicBlock, ("out", 4 * width), ("stride", 2)),
        ];
        return new Architecture(input, classes, stem, blocks);
    }
}
