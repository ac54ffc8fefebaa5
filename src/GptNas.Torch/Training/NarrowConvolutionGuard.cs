using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GptNas.Training;

/// <summary>
/// oneDNN's kernel for the input gradient of a convolution with fewer than <see cref="MinimumChannels"/> input channels
/// is wrong (off by about 70 % of the gradient's size) and writes outside its buffers, so such a training ends in heap
/// corruption or a NaN loss at a random step; capped at AVX2 and native alike, in both memory layouts, while libtorch's
/// own kernels are right (<c>TrainBench --case conv-check --backward</c>). A network's first convolution needs no input
/// gradient, but one inside it does: an Inception branch reduced to 1 channel, a bottleneck 4 channels wide. While a fit
/// runs, each such convolution computes its output once more in float64, which libtorch's own kernels run, whenever its
/// input needs a gradient; autograd follows that output, and the float32 one is dropped.
/// </summary>
public sealed class NarrowConvolutionGuard : IDisposable
{
    /// <summary>The fewest input channels whose input gradient oneDNN computes right (measured under AVX2 and AVX-512).</summary>
    public const int MinimumChannels = 8;

    private readonly List<Action> _removers = [];

    public NarrowConvolutionGuard(nn.Module model)
    {
        // TorchSharp's modules() leaves out the module itself.
        foreach (var conv in model.modules().Prepend(model).OfType<Conv2d>().Where(c => c.weight!.shape[1] * c.groups < MinimumChannels && c.padding is not null))
            _removers.Add(conv.register_forward_hook(Recompute).remove);
        if (_removers.Count > 0) TorchRuntime.DisableNnpack();
    }

    /// <summary>How many of the model's convolutions the guard recomputes.</summary>
    public int Guarded => _removers.Count;

    /// <summary>The hook's result replaces the module's output; an input that needs no gradient keeps oneDNN's.</summary>
    private static Tensor Recompute(nn.Module<Tensor, Tensor> module, Tensor input, Tensor output)
    {
        if (!input.requires_grad || !is_grad_enabled()) return output;
        var conv = (Conv2d)module;
        var exact = nn.functional.conv2d(input.to(float64), conv.weight!.to(float64), conv.bias?.to(float64),
            strides: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: conv.groups);
        return exact.to(output.dtype);
    }

    public void Dispose()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
    }
}
