using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GptNas.Networks;

// torchvision.models.googlenet: Inception and its BasicConv2d (conv without bias, BN eps 1e-3, ReLU).
// Initialization as GoogLeNet.__init__: conv weights truncated normal (std 0.01, cut at +-2), BN weight 1
// bias 0.

/// <summary>torchvision's GoogLeNet <c>BasicConv2d</c>: conv (no bias), BN (eps 1e-3), ReLU.</summary>
public sealed class BasicConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly SafeBatchNorm2d bn;

    public BasicConv2d(long in_channels, long out_channels, long kernel_size, Generator generator, Device? device = null) : base(nameof(BasicConv2d))
    {
        conv = Layers.TruncNormal(Layers.Conv(in_channels, out_channels, kernel_size, generator, device: device), generator);
        bn = Layers.Unit(Layers.BatchNorm(out_channels, eps: 1e-3, device: device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var a = conv.call(x);
        var output = bn.call(a);
        output.relu_();
        return output;
    }
}

/// <summary>
/// torchvision's GoogLeNet <c>Inception</c>: four branches concatenated in this order: 1x1 (c1); 1x1 (c3r)
/// then 3x3 (c3); 1x1 (c5r) then 3x3 (c5) (torchvision's "5x5" branch really uses a 3x3 kernel); 3x3 max
/// pool (stride 1, ceil mode) then 1x1 (pool).
/// </summary>
public sealed class Inception : nn.Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> branch1, branch2, branch3, branch4;

    public Inception(long in_channels, long ch1x1, long ch3x3red, long ch3x3, long ch5x5red, long ch5x5, long pool_proj, Generator generator,
                     Device? device = null)
        : base(nameof(Inception))
    {
        branch1 = new BasicConv2d(in_channels, ch1x1, 1, generator, device);
        branch2 = new Chain(new BasicConv2d(in_channels, ch3x3red, 1, generator, device), new BasicConv2d(ch3x3red, ch3x3, 3, generator, device));
        branch3 = new Chain(new BasicConv2d(in_channels, ch5x5red, 1, generator, device), new BasicConv2d(ch5x5red, ch5x5, 3, generator, device));
        branch4 = new Chain(nn.MaxPool2d(3, stride: 1, padding: 1, ceil_mode: true), new BasicConv2d(in_channels, pool_proj, 1, generator, device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var b1 = branch1.call(x);
        using var b2 = branch2.call(x);
        using var b3 = branch3.call(x);
        using var b4 = branch4.call(x);
        return torch.cat([b1, b2, b3, b4], 1);
    }
}
