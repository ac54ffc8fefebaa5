using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GptNas.Networks;

// torchvision.models.resnet: BasicBlock and Bottleneck (v1.5: the stride sits on the 3x3 conv). ResNeXt
// (GroupedBottleneck) and Wide ResNet (WideBottleneck) are the same Bottleneck class with other widths and
// groups. Initialization as ResNet.__init__: conv kaiming normal fan_out, BN weight 1 bias 0
// (zero_init_residual=False). Child names match torchvision, so state dicts line up.

/// <summary>torchvision's ResNet <c>BasicBlock</c>: 3x3 conv (stride), BN, ReLU, 3x3 conv, BN, + shortcut, ReLU.</summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    // Declared in torchvision's order, so state dicts list the same names in the same order.
    private readonly Conv2d conv1;
    private readonly SafeBatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly SafeBatchNorm2d bn2;
    private readonly Module<Tensor, Tensor>? downsample;

    public BasicBlock(long in_channels, long out_channels, Generator generator, long stride = 1, Device? device = null) : base(nameof(BasicBlock))
    {
        conv1 = Layers.KaimingFanOut(Layers.Conv(in_channels, out_channels, 3, generator, stride, device: device), generator);
        bn1 = Layers.Unit(Layers.BatchNorm(out_channels, device: device));
        conv2 = Layers.KaimingFanOut(Layers.Conv(out_channels, out_channels, 3, generator, device: device), generator);
        bn2 = Layers.Unit(Layers.BatchNorm(out_channels, device: device));
        downsample = ResNetShortcut.Create(in_channels, out_channels, stride, generator, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var a = conv1.call(x);
        using var b = bn1.call(a);
        b.relu_();
        using var c = conv2.call(b);
        var output = bn2.call(c);
        ResNetShortcut.AddRelu(output, x, downsample);
        return output;
    }
}

/// <summary>
/// torchvision's ResNet <c>Bottleneck</c>: 1x1 conv to <c>width</c>, 3x3 conv (stride, groups), 1x1 conv to
/// <c>out</c>, each with BN (ReLU after the first two), + shortcut, ReLU. torchvision's width is
/// <c>int(planes * base_width / 64) * groups</c>; here it is given directly, as the block settings give it.
/// </summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly SafeBatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly SafeBatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly SafeBatchNorm2d bn3;
    private readonly Module<Tensor, Tensor>? downsample;

    public Bottleneck(long in_channels, long out_channels, long width, Generator generator, long stride = 1, long groups = 1, Device? device = null) : base(nameof(Bottleneck))
    {
        conv1 = Layers.KaimingFanOut(Layers.Conv(in_channels, width, 1, generator, device: device), generator);
        bn1 = Layers.Unit(Layers.BatchNorm(width, device: device));
        conv2 = Layers.KaimingFanOut(Layers.Conv(width, width, 3, generator, stride, groups: groups, device: device), generator);
        bn2 = Layers.Unit(Layers.BatchNorm(width, device: device));
        conv3 = Layers.KaimingFanOut(Layers.Conv(width, out_channels, 1, generator, device: device), generator);
        bn3 = Layers.Unit(Layers.BatchNorm(out_channels, device: device));
        downsample = ResNetShortcut.Create(in_channels, out_channels, stride, generator, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var a = conv1.call(x);
        using var b = bn1.call(a);
        b.relu_();
        using var c = conv2.call(b);
        using var d = bn2.call(c);
        d.relu_();
        using var e = conv3.call(d);
        var output = bn3.call(e);
        ResNetShortcut.AddRelu(output, x, downsample);
        return output;
    }
}

/// <summary>The residual merge shared by ResNet's blocks.</summary>
internal static class ResNetShortcut
{
    /// <summary>torchvision's <c>downsample</c>: Sequential(1x1 conv with stride, BN) when the shape changes, else none.</summary>
    public static Module<Tensor, Tensor>? Create(long in_channels, long out_channels, long stride, Generator generator, Device? device) =>
        stride != 1 || in_channels != out_channels
            ? new Chain(Layers.KaimingFanOut(Layers.Conv(in_channels, out_channels, 1, generator, stride, device: device), generator),
                        Layers.Unit(Layers.BatchNorm(out_channels, device: device)))
            : null;

    /// <summary><c>out += identity; out = relu(out)</c>, in place on <paramref name="output"/> (a fresh BN result).</summary>
    public static void AddRelu(Tensor output, Tensor x, Module<Tensor, Tensor>? downsample)
    {
        if (downsample is null) output.add_(x);
        else
        {
            using var identity = downsample.call(x);
            output.add_(identity);
        }
        output.relu_();
    }
}
