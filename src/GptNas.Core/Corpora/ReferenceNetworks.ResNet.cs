using GptNas.Architectures;

namespace GptNas.Corpora;

public static partial class ReferenceNetworks
{
    /// <summary>
    /// torchvision.models.resnet.ResNet: stem conv 7x7/2 + BN + ReLU + max-pool 3/2, then four stages of
    /// 64/128/256/512 planes (the first block of stages 2-4 has stride 2). Bottleneck width is
    /// int(planes * width_per_group / 64) * groups, out = planes * 4; groups > 1 is ResNeXt's grouped
    /// Bottleneck, width_per_group != 64 the Wide-ResNet one.
    /// </summary>
    private static Architecture ResNet(Shape input, int classes, int[] layers, bool basic = false, int groups = 1, int widthPerGroup = 64)
    {
        var stem = ConvBnRelu(64, 7, 2, 3).Append(B(BlockKind.MaxPool, ("kernel", 3), ("stride", 2), ("padding", 1)));
        var blocks = new List<Block>();
        int[] planes = [64, 128, 256, 512];
        for (var stage = 0; stage < layers.Length; stage++)
        {
            for (var i = 0; i < layers[stage]; i++)
            {
                var stride = stage > 0 && i == 0 ? 2 : 1;
                blocks.Add(basic ? B(BlockKind.BasicBlock, ("out", planes[stage]), ("stride", stride))
                                 : ResNetBottleneck(planes[stage], stride, groups, widthPerGroup));
            }
        }
        return new Architecture(input, classes, stem, blocks);
    }

    private static Block ResNetBottleneck(int planes, int stride, int groups, int widthPerGroup)
    {
        var width = (int)(planes * (widthPerGroup / 64.0)) * groups;
        var outChannels = planes * 4;
        if (groups > 1)
            return B(BlockKind.GroupedBottleneck, ("out", outChannels), ("stride", stride), ("width", width), ("groups", groups));
        var kind = widthPerGroup == 64 ? BlockKind.Bottleneck : BlockKind.WideBottleneck;
        return B(kind, ("out", outChannels), ("stride", stride), ("width", width));
    }
}
