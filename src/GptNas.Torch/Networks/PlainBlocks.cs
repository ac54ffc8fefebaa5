using GptNas.Architectures;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GptNas.Networks;

/// <summary>
/// The single-layer block kinds: PyTorch's own modules. Conv weights are kaiming normal fan_out (as ResNet
/// initializes its stem) with bias 0, drawn from the given generator; BN weight 1 bias 0.
/// </summary>
public static class PlainBlocks
{
    public static Module<Tensor, Tensor> Conv(long in_channels, long out_channels, long kernel_size, long stride, long padding, long groups, bool bias,
                                              Generator generator, Device? device = null) =>
        Layers.KaimingFanOut(Layers.Conv(in_channels, out_channels, kernel_size, generator, stride, padding, groups, bias, device), generator);

    public static Module<Tensor, Tensor> BatchNorm(long channels, Device? device = null) => Layers.Unit(Layers.BatchNorm(channels, device: device));

    /// <summary>
    /// In place only when the caller knows the input is a fresh result that autograd does not keep (a conv or
    /// BN output): in place on a ReLU's own output, or on the network's input, would be wrong.
    /// </summary>
    public static Module<Tensor, Tensor> ReLU(bool inplace) => nn.ReLU(inplace);

    public static Module<Tensor, Tensor> MaxPool(long kernel_size, long stride, long padding, bool ceil_mode) =>
        nn.MaxPool2d(kernel_size, stride, padding, ceil_mode: ceil_mode);

    /// <summary>PyTorch's AvgPool2d (count_include_pad=True).</summary>
    public static Module<Tensor, Tensor> AvgPool(long kernel_size, long stride, long padding, bool ceil_mode) =>
        nn.AvgPool2d(kernel_size, stride, padding, ceil_mode: ceil_mode);
}
