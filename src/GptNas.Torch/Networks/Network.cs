using GptNas.Architectures;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GptNas.Networks;

/// <summary>
/// An <see cref="Architectures.Architecture"/> as a TorchSharp module (build it with <see cref="NetworkBuilder"/>):
/// <c>features</c> (stem blocks, then blocks), <c>avgpool</c> (adaptive, to 1x1), <c>dropout</c> (only when the
/// head has some), flatten, <c>fc</c>.
/// </summary>
/// <remarks>
/// Forward disposes each block's output as soon as the next block has used it, so inside the trainer's
/// per-batch dispose scope only what autograd keeps stays alive (TORCHSHARP.md: about half the peak RSS).
/// The head's Linear is initialized normal(0, 0.01) with bias 0, as RegNet does (torchvision's families
/// differ here; this one is simple and scale-free).
/// </remarks>
public sealed class Network : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Module<Tensor, Tensor>> features;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Dropout? dropout;
    private readonly Linear fc;

    /// <summary>The architecture this network was built from.</summary>
    public Architecture Architecture { get; }

    /// <summary>One module per block, stem blocks first, in forward order.</summary>
    public IReadOnlyList<Module<Tensor, Tensor>> Blocks => [.. features];

    internal Network(Architecture architecture, IEnumerable<Module<Tensor, Tensor>> blocks, long features_out, Generator generator, Device? device)
        : base(nameof(Network))
    {
        Architecture = architecture;
        features = nn.ModuleList(blocks.ToArray());
        avgpool = nn.AdaptiveAvgPool2d(1);
        if (architecture.Dropout > 0) dropout = nn.Dropout(architecture.Dropout);
        fc = nn.Linear(features_out, architecture.Classes, device: device);
        if (!Layers.IsMeta(fc.weight!))
        {
            using var _ = no_grad();
            fc.weight!.normal_(0, 0.01, generator);
            nn.init.zeros_(fc.bias!);
        }
        RegisterComponents();
    }

    /// <summary>(B, C, H, W) images to (B, classes) logits.</summary>
    public override Tensor forward(Tensor x)
    {
        using var feature = forward_features(x);     // (B, C', H', W')
        using var pooled = avgpool.call(feature);    // (B, C', 1, 1)
        var flat = pooled.flatten(1);                // (B, C')
        if (dropout is not null) flat = Layers.Step(dropout, flat);
        using (flat) return fc.call(flat);           // (B, classes)
    }

    /// <summary>The feature map after the last block: (B, C, H, W) to (B, C', H', W').</summary>
    public Tensor forward_features(Tensor x)
    {
        if (features.Count == 0) return x.alias();
        var y = features[0].call(x);
        // The first block never works in place on x (NetworkBuilder makes a leading ReLU out of place).
        for (var i = 1; i < features.Count; i++) y = Layers.Step(features[i], y);
        return y;
    }
}
