using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GptNas.Networks;

// torchvision.ops.misc: Conv2dNormActivation and SqueezeExcitation, the parts EfficientNet's MBConv is made
// of. Initialization as EfficientNet.__init__: conv kaiming normal fan_out (default leaky_relu a=0, the
// same gain as ReLU), conv bias 0, BN weight 1 bias 0.
// NOTE: BN eps is PyTorch's default 1e-5 (torchvision's EfficientNet-B0..B4); B5-B7 and V2 use 1e-3.

/// <summary>
/// torchvision's <c>Conv2dNormActivation</c>: a Sequential of conv (padding (k-1)/2, no bias), BN and an
/// optional activation, children named "0", "1", "2" as in torchvision. Without a norm the conv has a bias (torchvision's
/// <c>norm_layer=None</c>); with a pool, a max-pool sits between the conv and the BN (airbench's conv groups).
/// </summary>
public sealed class ConvNormActivation : nn.Module<Tensor, Tensor>
{
    private readonly Chain layers;

    public ConvNormActivation(long in_channels, long out_channels, Generator generator, long kernel_size = 3, long stride = 1, long groups = 1,
                              string activation = "relu", Device? device = null, long pool = 1, bool norm = true)
        : this(Layers.KaimingFanOut(Layers.Conv(in_channels, out_channels, kernel_size, generator, stride, groups: groups, bias: !norm, device: device), generator),
               norm ? Layers.Unit(Layers.BatchNorm(out_channels, device: device)) : null, activation, pool > 1 ? nn.MaxPool2d(pool, pool) : null) { }

    /// <summary>From ready layers, for the families (RegNet) that initialize their own.</summary>
    internal ConvNormActivation(Conv2d conv, SafeBatchNorm2d? bn, string activation, Module<Tensor, Tensor>? pool = null) : base(nameof(ConvNormActivation))
    {
        layers = new Chain(conv, pool, bn, Layers.Activation(activation));
        // Children directly under this module, as in torchvision's Sequential subclass: "0.weight", "1.running_mean".
        foreach (var (name, child) in layers.named_children()) register_module(name, child);
    }

    public override Tensor forward(Tensor x) => layers.call(x);
}

/// <summary>
/// torchvision's <c>SqueezeExcitation</c>: global average pool, 1x1 conv down to <c>squeeze</c> channels (with
/// bias), activation, 1x1 conv back up, sigmoid, and the input scaled by the result.
/// </summary>
public sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>
{
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Conv2d fc1;
    private readonly Conv2d fc2;
    private readonly Module<Tensor, Tensor> activation;

    /// <param name="init">false keeps the convs' weights to the caller (RegNet initializes its own); they hold PyTorch's default until then.</param>
    public SqueezeExcitation(long input_channels, long squeeze_channels, Generator generator, string activation = "relu", Device? device = null,
                             bool init = true)
        : base(nameof(SqueezeExcitation))
    {
        avgpool = nn.AdaptiveAvgPool2d(1);
        fc1 = Layers.Conv(input_channels, squeeze_channels, 1, generator, bias: true, device: device);
        fc2 = Layers.Conv(squeeze_channels, input_channels, 1, generator, bias: true, device: device);
        if (init)
        {
            Layers.KaimingFanOut(fc1, generator);
            Layers.KaimingFanOut(fc2, generator);
        }
        this.activation = Layers.Activation(activation) ?? throw new ArgumentException("SqueezeExcitation needs an activation", nameof(activation));
        RegisterComponents();
    }

    internal Conv2d Fc1 => fc1;
    internal Conv2d Fc2 => fc2;

    public override Tensor forward(Tensor x)
    {
        using var pooled = avgpool.call(x);      // (B, C, 1, 1)
        using var activated = Layers.Step(activation, fc1.call(pooled)); // (B, S, 1, 1)
        using var expanded = fc2.call(activated);
        using var scale = expanded.sigmoid();
        return x * scale;
    }
}
