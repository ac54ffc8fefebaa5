using GptNas.Architectures;

namespace GptNas.Corpora;

public static partial class ReferenceNetworks
{
    /// <summary>
    /// torchvision.models.shufflenetv2.ShuffleNetV2: conv1 3x3/2 + BN + ReLU, max-pool 3/2, stages of
    /// 4, 8 and 4 InvertedResidual units (the first of each with stride 2), conv5 1x1 + BN + ReLU.
    /// </summary>
    private static Architecture ShuffleNetV2(Shape input, int classes, int[] stageOutChannels)
    {
        var stem = ConvBnRelu(stageOutChannels[0], 3, 2, 1).Append(B(BlockKind.MaxPool, ("kernel", 3), ("stride", 2), ("padding", 1)));
        var blocks = new List<Block>();
        int[] repeats = [4, 8, 4];
        for (var stage = 0; stage < repeats.Length; stage++)
            for (var i = 0; i < repeats[stage]; i++)
                blocks.Add(B(BlockKind.InvertedResidual, ("out", stageOutChannels[stage + 1]), ("stride", i == 0 ? 2 : 1)));
        blocks.Add(B(BlockKind.ConvNormActivation, ("out", stageOutChannels[^1]), ("kernel", 1), ("act", "relu")));
        return new Architecture(input, classes, stem, blocks);
    }
}
