using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GptNas.Networks;

// torchvision.models.shufflenetv2: InvertedResidual and channel_shuffle. torchvision does not re-initialize
// ShuffleNetV2, so its layers keep PyTorch's default initialization; so do these (drawn from the given generator).

/// <summary>
/// torchvision's ShuffleNetV2 <c>InvertedResidual</c>. Stride 1: split the channels in two, keep the first
/// half, run the second through <c>branch2</c> (1x1, BN, ReLU, depthwise 3x3, BN, 1x1, BN, ReLU). Stride &gt; 1:
/// <c>branch1</c> (depthwise 3x3 with stride, BN, 1x1, BN, ReLU) and <c>branch2</c> both see the whole input.
/// Then concatenate and shuffle the channels of the two groups.
/// </summary>
public sealed class InvertedResidual : nn.Module<Tensor, Tensor>
{
    private readonly long stride;
    private readonly Module<Tensor, Tensor>? branch1;
    private readonly Module<Tensor, Tensor> branch2;

    public InvertedResidual(long inp, long oup, long stride, Generator generator, Device? device = null) : base(nameof(InvertedResidual))
    {
        if (oup % 2 != 0) throw new ArgumentException($"oup={oup} must be even");
        var branch_features = oup / 2;
        if (stride == 1 && inp != oup) throw new ArgumentException($"with stride 1, inp={inp} must equal oup={oup}");
        this.stride = stride;
        if (stride > 1)
            branch1 = new Chain(
                Layers.Conv(inp, inp, 3, generator, stride, padding: 1, groups: inp, device: device),
                Layers.BatchNorm(inp, device: device),
                Layers.Conv(inp, branch_features, 1, generator, device: device),
                Layers.BatchNorm(branch_features, device: device),
                nn.ReLU(inplace: true));
        branch2 = new Chain(
            Layers.Conv(stride > 1 ? inp : branch_features, branch_features, 1, generator, device: device),
            Layers.BatchNorm(branch_features, device: device),
            nn.ReLU(inplace: true),
            Layers.Conv(branch_features, branch_features, 3, generator, stride, padding: 1, groups: branch_features, device: device),
            Layers.BatchNorm(branch_features, device: device),
            Layers.Conv(branch_features, branch_features, 1, generator, device: device),
            Layers.BatchNorm(branch_features, device: device),
            nn.ReLU(inplace: true));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var joined = stride == 1 ? SplitForward(x) : BothForward(x);
        return ChannelShuffle(joined, 2);
    }

    private Tensor SplitForward(Tensor x)
    {
        var halves = x.chunk(2, 1);
        using var x1 = halves[0];
        using var x2 = halves[1];
        using var y2 = branch2.call(x2);
        return torch.cat([x1, y2], 1);
    }

    private Tensor BothForward(Tensor x)
    {
        using var y1 = branch1!.call(x);
        using var y2 = branch2.call(x);
        return torch.cat([y1, y2], 1);
    }

    /// <summary>torchvision's <c>channel_shuffle</c>: (B, g*c, H, W) -> (B, g, c, H, W) -> swap g, c -> (B, c*g, H, W).</summary>
    public static Tensor ChannelShuffle(Tensor x, long groups)
    {
        var (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        using var grouped = x.view(b, groups, c / groups, h, w);
        using var swapped = grouped.transpose(1, 2);
        using var contiguous = swapped.contiguous();
        return contiguous.view(b, c, h, w);
    }
}
