using TorchSharp;
using static TorchSharp.torch;

namespace GptNas.Networks;

/// <summary>
/// <c>nn.BatchNorm2d</c> as TorchSharp's <see cref="TorchSharp.Modules.BatchNorm2d"/> computes it (the same parameters,
/// buffers, state-dict keys and arithmetic), except that it counts tracked batches with a Scalar that lives as long as
/// the process. TorchSharp's forward writes <c>num_batches_tracked.add_(1)</c>, which makes two Scalars and leaves them
/// to the finalizer as soon as their handles are passed to libtorch; a collection started by another thread during that
/// call can free them while libtorch still reads them. Seen in a final training: <c>Expected false to be true</c> from
/// <c>Scalar::toLong</c> in <c>add_</c>, after 5 epochs of CIFAR-10.
/// </summary>
public sealed class SafeBatchNorm2d(long features, double eps = 1e-5, Device? device = null)
    : TorchSharp.Modules.BatchNorm(features, eps, momentum: 0.1, affine: true, track_running_stats: true, device, dtype: null, "BatchNorm2d")
{
    // Static, so never unreachable and never finalized; libtorch only reads it, so every thread may share it.
    private static readonly Scalar One = 1L.ToScalar();

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input, but got {input.ndim}D input.");
    }

    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        var averaging = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(One, One);
            if (momentum is null) averaging = 1.0 / num_batches_tracked.item<long>();
        }
        var batchStatistics = training || (running_mean is null && running_var is null);
        var tracked = !training || track_running_stats;
        return nn.functional.batch_norm(input, tracked ? running_mean : null, tracked ? running_var : null, weight, bias,
            batchStatistics, averaging, eps);
    }
}
