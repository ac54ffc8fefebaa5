using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GptNas.Networks;

// torchvision.models.regnet: SimpleStemIN and ResBottleneckBlock (with its BottleneckTransform). Activation
// ReLU, BN eps 1e-5. Initialization as RegNet.__init__: every conv normal(0, sqrt(2 / (k*k*out))) (which is
// kaiming normal fan_out), BN weight 1 bias 0; the SE convs' biases keep PyTorch's default.

/// <summary>torchvision's RegNet <c>SimpleStemIN</c>: a Conv2dNormActivation, 3x3 conv (stride), BN, ReLU.</summary>
public static class SimpleStemIN
{
    public static ConvNormActivation Create(long in_channels, long out_channels, Generator generator, long stride = 2, Device? device = null) =>
        new(Layers.KaimingFanOut(Layers.Conv(in_channels, out_channels, 3, generator, stride, device: device), generator),
            Layers.Unit(Layers.BatchNorm(out_channels, device: device)), "relu");
}

/// <summary>
/// torchvision's RegNet <c>ResBottleneckBlock</c>: <c>f</c> = 1x1 conv to w_b = round(out * bottleneck), grouped
/// 3x3 conv (stride, groups = w_b / group_width), optional SE (squeeze = round(se * in)), 1x1 conv to out; a
/// projection <c>proj</c> (1x1 conv with stride, BN) when the shape changes; then add and ReLU.
/// </summary>
public sealed class ResBottleneckBlock : nn.Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor>? proj;
    private readonly Module<Tensor, Tensor> f;

    public ResBottleneckBlock(long width_in, long width_out, long stride, long group_width, Generator generator, double bottleneck_multiplier = 1.0,
                              double se_ratio = 0, Device? device = null) : base(nameof(ResBottleneckBlock))
    {
        // Python's round() rounds half to even, as Math.Round does by default.
        var w_b = (long)Math.Round(width_out * bottleneck_multiplier);
        if (w_b < 1 || w_b % group_width != 0)
            throw new ArgumentException($"bottleneck width {w_b} is not a multiple of group_width {group_width}");
        var layers = new List<(string, Module<Tensor, Tensor>)>
        {
            ("a", ConvBn(width_in, w_b, 1, 1, 1, "relu", generator, device)),
            ("b", ConvBn(w_b, w_b, 3, stride, w_b / group_width, "relu", generator, device)),
        };
        if (se_ratio > 0)
        {
            var se = new SqueezeExcitation(w_b, Math.Max(1, (long)Math.Round(se_ratio * width_in)), generator, "relu", device, init: false);
            Layers.KaimingFanOut(se.Fc1, generator, zeroBias: false);
            Layers.KaimingFanOut(se.Fc2, generator, zeroBias: false);
            layers.Add(("se", se));
        }
        layers.Add(("c", ConvBn(w_b, width_out, 1, 1, 1, "none", generator, device)));
        f = new Chain(layers.ToArray());
        if (width_in != width_out || stride != 1) proj = ConvBn(width_in, width_out, 1, stride, 1, "none", generator, device);
        RegisterComponents();
    }

    private static ConvNormActivation ConvBn(long inC, long outC, long kernel, long stride, long groups, string act, Generator generator, Device? device) =>
        new(Layers.KaimingFanOut(Layers.Conv(inC, outC, kernel, generator, stride, groups: groups, device: device), generator),
            Layers.Unit(Layers.BatchNorm(outC, device: device)), act);

    public override Tensor forward(Tensor x)
    {
        var output = f.call(x); // ends in BN: a fresh tensor, safe to add to and ReLU in place
        ResNetShortcut.AddRelu(output, x, proj);
        return output;
    }
}
