using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GptNas.Networks;

/// <summary>
/// Layer factories and initializers shared by the block families. Every factory takes the device to
/// build on; <c>meta</c> gives modules with real parameter shapes and no storage (cheap parameter counts).
/// </summary>
internal static class Layers
{
    public static Conv2d Conv(long inChannels, long outChannels, long kernel, long stride = 1, long? padding = null, long groups = 1,
                              bool bias = false, Device? device = null) =>
        nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding ?? (kernel - 1) / 2, groups: groups, bias: bias, device: device);

    public static BatchNorm2d BatchNorm(long channels, double eps = 1e-5, Device? device = null) =>
        nn.BatchNorm2d(channels, eps: eps, device: device);

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
        _ => throw new ArgumentException($"unknown activation '{name}'", nameof(name)),
    };

    /// <summary>
    /// ResNet / RegNet / EfficientNet: kaiming normal, fan_out, ReLU gain (std = sqrt(2 / (k*k*out)));
    /// bias 0 unless <paramref name="zeroBias"/> is false (RegNet leaves its SE biases at PyTorch's default).
    /// </summary>
    public static Conv2d KaimingFanOut(Conv2d conv, bool zeroBias = true)
    {
        using var _ = no_grad();
        nn.init.kaiming_normal_(conv.weight!, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
        if (zeroBias && conv.bias is not null) nn.init.zeros_(conv.bias);
        return conv;
    }

    /// <summary>GoogLeNet: truncated normal, std 0.01, cut at +-2 (so in effect a plain normal).</summary>
    public static Conv2d TruncNormal(Conv2d conv)
    {
        using var _ = no_grad();
        nn.init.trunc_normal_(conv.weight!, mean: 0, std: 0.01, a: -2, b: 2);
        return conv;
    }

    /// <summary>BatchNorm weight 1, bias 0 (PyTorch's defaults, as torchvision sets them again).</summary>
    public static BatchNorm2d Unit(BatchNorm2d bn)
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
