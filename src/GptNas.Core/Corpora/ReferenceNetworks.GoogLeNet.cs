using GptNas.Architectures;

namespace GptNas.Corpora;

public static partial class ReferenceNetworks
{
    /// <summary>
    /// torchvision.models.googlenet.GoogLeNet without its auxiliary classifiers (their weights are not part
    /// of the published count): BasicConv2d = conv (no bias) + BN + ReLU; max-pools use ceil_mode=True.
    /// </summary>
    private static Architecture GoogLeNet(Shape input, int classes)
    {
        Block MaxPool(int kernel) => B(BlockKind.MaxPool, ("kernel", kernel), ("stride", 2), ("padding", 0), ("ceil", 1));
        Block Inception(int c1, int c3r, int c3, int c5r, int c5, int pool) =>
            B(BlockKind.Inception, ("c1", c1), ("c3r", c3r), ("c3", c3), ("c5r", c5r), ("c5", c5), ("pool", pool));

        var stem = ConvBnRelu(64, 7, 2, 3).Append(MaxPool(3))
            .Concat(ConvBnRelu(64, 1, 1, 0))
            .Concat(ConvBnRelu(192, 3, 1, 1)).Append(MaxPool(3));
        Block[] blocks =
        [
            Inception(64, 96, 128, 16, 32, 32),
            Inception(128, 128, 192, 32, 96, 64),
            MaxPool(3),
            Inception(192, 96, 208, 16, 48, 64),
            Inception(160, 112, 224, 24, 64, 64),
            Inception(128, 128, 256, 24, 64, 64),
            Inception(112, 144, 288, 32, 64, 64),
            Inception(256, 160, 320, 32, 128, 128),
            MaxPool(2),
            Inception(256, 160, 320, 32, 128, 128),
            Inception(384, 192, 384, 48, 128, 128),
        ];
        return new Architecture(input, classes, stem, blocks, dropout: 0.2);
    }
}
