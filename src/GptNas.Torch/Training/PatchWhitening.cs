using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GptNas.Training;

/// <summary>
/// airbench's patch-whitening first layer (<see cref="TrainingConfig.Whiten"/>): the network's first convolution gets
/// the eigenvectors of the training images' k x k patch covariance, each scaled by 1 / sqrt(eigenvalue + 5e-4), and
/// their negatives (so its output channels must be 2 x C x k x k, 24 for 3 channels and kernel 2), and is not trained.
/// </summary>
public static class PatchWhitening
{
    /// <summary>airbench's: added to each eigenvalue, so the near-zero directions are not blown up.</summary>
    private const double Epsilon = 5e-4;

    /// <summary>The first convolution, frozen; filled from up to <paramref name="images"/> training images when <paramref name="fill"/>.</summary>
    /// <exception cref="TrainingException">The network's first layer is not a convolution that whitening can fill.</exception>
    public static void Apply(nn.Module model, IBatchSource train, bool fill, int images = 5000)
    {
        var conv = Convolution(model);
        var weight = conv.weight!;
        var (outChannels, channels, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3]);
        var dimensions = channels * kh * kw;
        if (conv.groups != 1 || outChannels != 2 * dimensions)
            throw new TrainingException($"whiten=true needs the first convolution to have {2 * dimensions} output channels (2 x {channels} channels x {kh}x{kw}) " +
                                        $"and groups 1, got {outChannels} and groups {conv.groups}; airbench94's first layer has them (gptnas arch show airbench94)");
        weight.requires_grad_(false);
        if (!fill) return;
        using var scope = NewDisposeScope();
        var covariance = zeros(dimensions, dimensions, float64);
        long patches = 0, seen = 0;
        var shape = train.ImageShape;
        foreach (var batch in train.Epoch(0))
        {
            using var batchScope = NewDisposeScope();
            var count = (int)Math.Min(batch.Count, images - seen);
            var x = tensor(batch.Images.AsSpan(0, count * shape.Channels * shape.Height * shape.Width).ToArray(), [count, shape.Channels, shape.Height, shape.Width]);
            // (N, C*kh*kw, L) in the weight's (c, y, x) order, then one row per patch.
            var rows = nn.functional.unfold(x, (kh, kw)).transpose(1, 2).reshape(-1, dimensions).to(float64);
            covariance.add_(rows.t().matmul(rows));
            patches += rows.shape[0];
            seen += count;
            if (seen >= images) break;
        }
        if (patches == 0) throw new TrainingException("whiten=true found no training images to whiten with");
        var (values, vectors) = linalg.eigh(covariance.div_(patches));
        var filters = vectors.t().div(values.clamp_min(0).add(Epsilon).sqrt().unsqueeze(1)).reshape(dimensions, channels, kh, kw);
        using (no_grad()) weight.copy_(cat([filters, filters.neg()]).to(weight.dtype));
    }

    /// <summary>The convolution whitening fills: the network's first.</summary>
    /// <exception cref="TrainingException">The network has no convolution.</exception>
    public static Conv2d Convolution(nn.Module model) =>
        model.modules().OfType<Conv2d>().FirstOrDefault() ?? throw new TrainingException("whiten=true needs a network whose first layer is a convolution");
}
