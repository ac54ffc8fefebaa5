using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GptNas.Networks;

/// <summary>
/// Layer factories and initializers shared by the block families. Every factory takes the device to
/// build on; <c>meta</c> gives modules with real parameter shapes and no storage (cheap parameter counts).
/// Every random draw comes from the <see cref="Generator"/> passed in, never from torch's global one.
/// </summary>
internal static class Layers
{
    /// <summary>A Conv2d initialized as PyTorch's default (see <see cref="DefaultInit"/>), drawn from <paramref name="generator"/>.</summary>
    public static Conv2d Conv(long inChannels, long outChannels, long kernel, Generator generator, long stride = 1, long? padding = null,
                              long groups = 1, bool bias = false, Device? device = null) =>
        DefaultInit(nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding ?? (kernel - 1) / 2, groups: groups, bias: bias,
                              device: device), generator);

    /// <summary>
    /// PyTorch's default for Conv2d, drawn from <paramref name="generator"/>: weight kaiming uniform with
    /// a = sqrt(5), i.e. uniform(+-1/sqrt(fan_in)), and bias uniform(+-1/sqrt(fan_in)), fan_in = in/groups * k * k.
    /// </summary>
    public static Conv2d DefaultInit(Conv2d conv, Generator generator)
    {
        if (IsMeta(conv.weight!)) return conv;
        using var _ = no_grad();
        var bound = 1.0 / Math.Sqrt(conv.weight!.shape[1..].Aggregate(1L, (a, b) => a * b));
        conv.weight.uniform_(-bound, bound, generator);
        conv.bias?.uniform_(-bound, bound, generator);
        return conv;
    }

    public static SafeBatchNorm2d BatchNorm(long channels, double eps = 1e-5, Device? device = null) => new(channels, eps, device);

    /// <summary>An activation by its block-setting name (<c>act</c>), or null for "none".</summary>
    /// <remarks>
    /// ReLU runs in place (its backward reads only its output). SiLU does not: in-place SiLU saves a copy of
    /// its input for backward anyway, so it would save no memory.
    /// </remarks>
    public static Module<Tensor, Tensor>? Activation(string name) => name switch
    {
        "none" => null,
        "relu" => nn.ReLU(inplace: true),
        "silu" => nn.SiLU(),
        "gelu" => nn.GELU(),
        _ => throw new ArgumentException($"unknown activation '{name}'", nameof(name)),
    };

    /// <summary>
    /// ResNet / RegNet / EfficientNet: kaiming normal, fan_out, ReLU gain (std = sqrt(2 / (k*k*out))), drawn from
    /// <paramref name="generator"/>; bias 0 unless <paramref name="zeroBias"/> is false (RegNet leaves its SE biases
    /// at PyTorch's default, which <see cref="Conv"/> drew).
    /// </summary>
    public static Conv2d KaimingFanOut(Conv2d conv, Generator generator, bool zeroBias = true)
    {
        if (IsMeta(conv.weight!)) return conv;
        using var _ = no_grad();
        var weight = conv.weight!;
        var fanOut = weight.shape[0] * weight.shape[2..].Aggregate(1L, (a, b) => a * b);
        weight.normal_(0, Math.Sqrt(2.0 / fanOut), generator);
        if (zeroBias && conv.bias is not null) nn.init.zeros_(conv.bias);
        return conv;
    }

    /// <summary>
    /// GoogLeNet: truncated normal, std 0.01, cut at +-2, drawn from <paramref name="generator"/>. The cut lies 200
    /// standard deviations out, so a normal clamped there is the same distribution.
    /// </summary>
    public static Conv2d TruncNormal(Conv2d conv, Generator generator)
    {
        if (IsMeta(conv.weight!)) return conv;
        using var _ = no_grad();
        conv.weight!.normal_(0, 0.01, generator).clamp_(-2, 2);
        return conv;
    }

    /// <summary>True for a parameter built on the meta device: it has a shape and no values to draw.</summary>
    public static bool IsMeta(Tensor tensor) => tensor.device_type == DeviceType.META;

    /// <summary>BatchNorm weight 1, bias 0 (PyTorch's defaults, as torchvision sets them again).</summary>
    public static SafeBatchNorm2d Unit(SafeBatchNorm2d bn)
    {
        using var _ = no_grad();
        nn.init.ones_(bn.weight!);
        nn.init.zeros_(bn.bias!);
        return bn;
    }

    /// <summary>Runs <paramref name="next"/> on <paramref name="x"/> and disposes <paramref name="x"/> unless the module returned it (in place).</summary>
    public static Tensor Step(Module<Tensor, Tensor> next, Tensor x)
    {
        var y = next.call(x);
        if (!ReferenceEquals(x, y)) x.Dispose();
        return y;
    }
}

/// <summary>
/// PyTorch's <c>nn.Sequential</c> with the same child names ("0", "1", ... or given names), whose forward
/// disposes each intermediate result as soon as the next layer has used it.
/// </summary>
internal sealed class Chain : nn.Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor>[] _layers;

    public Chain(params Module<Tensor, Tensor>?[] layers) : this(layers.Where(l => l is not null).Select((l, i) => (i.ToString(), l!)).ToArray()) { }

    public Chain((string Name, Module<Tensor, Tensor> Layer)[] layers) : base(nameof(Chain))
    {
        _layers = layers.Select(l => l.Layer).ToArray();
        foreach (var (name, layer) in layers) register_module(name, layer);
    }

    public override Tensor forward(Tensor input)
    {
        // The first layer must not work in place on the input: the caller still owns it.
        var x = _layers[0].call(input);
        for (var i = 1; i < _layers.Length; i++) x = Layers.Step(_layers[i], x);
        return x;
    }
}
