using GptNas.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GptNas.Training;

/// <summary>
/// airbench's initialization (<see cref="TrainingConfig.DiracInit"/>): every convolution that keeps the map's size and
/// mixes all channels (stride 1, groups 1, an odd square kernel with 'same' padding) is drawn again as PyTorch's default,
/// uniform(+-1/sqrt(fan_in)), and its first min(in, out) filters are set to the identity, so the network starts close
/// to passing its input through and trains at airbench's high rate from the first step.
/// </summary>
public static class DiracInitialization
{
    /// <returns>How many convolutions it initialized.</returns>
    public static int Apply(nn.Module model, Seeds seeds)
    {
        using var generator = new Generator((ulong)seeds.Derive("dirac"));
        using var _ = no_grad();
        var count = 0;
        foreach (var conv in model.modules().OfType<Conv2d>().Where(KeepsSize))
        {
            Layers.DefaultInit(conv, generator);
            var weight = conv.weight!;
            using var head = weight.narrow(0, 0, Math.Min(weight.shape[0], weight.shape[1]));
            nn.init.dirac_(head);
            conv.bias?.zero_();
            count++;
        }
        return count;
    }

    private static bool KeepsSize(Conv2d conv)
    {
        var weight = conv.weight!;
        var (kh, kw) = (weight.shape[2], weight.shape[3]);
        return conv.groups == 1 && kh == kw && kh % 2 == 1 && conv.stride.All(s => s == 1) && conv.padding is { } padding && padding.All(p => p == kh / 2);
    }
}
