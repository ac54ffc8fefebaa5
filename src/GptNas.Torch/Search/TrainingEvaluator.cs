using GptNas.Architectures;
using GptNas.Config;
using GptNas.Data;
using GptNas.Networks;
using GptNas.Search;
using GptNas.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GptNas.Search;

/// <summary>
/// Proxy fitness of GPT-NAS §7: a short training on the training split, scored by top-1 on the validation
/// split held out from it, seeded by the trial's seed (weights, batch order, augmentation, dropout). With <see cref="Acceleration.Predicted"/> only the GPT-predicted blocks train
/// (only BatchNorm when none was predicted; everything when there is neither), as the paper does.
/// </summary>
/// <param name="seeds">The run's seeds; the proxies' images are drawn from them (<see cref="ProxyData"/>).</param>
public sealed class TrainingEvaluator(DataSplits data, ProxySettings settings, Seeds seeds, Device device) : IEvaluator<Architecture>
{
    private readonly DataSplits _proxyData = ProxyData(data, settings, seeds);

    public EvaluationResult Evaluate(Individual<Architecture> individual, int seed, CancellationToken cancellation)
    {
        var architecture = individual.Candidate;
        using var network = NetworkBuilder.Build(architecture, new Seeds(seed));
        var (trainable, mode) = Trainable(network, individual.Predicted, settings.Acceleration);
        // Frozen weights need no gradients: backward then skips their weight gradients (inputs still get theirs).
        var train = trainable.ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var parameter in network.parameters()) parameter.requires_grad = train.Contains(parameter);
        var config = settings.Training with { Seed = seed };
        var batches = new DataBatches(_proxyData, config);
        var result = new Trainer(config, device).Fit(network, batches.Train, batches.Validation, trainable: trainable, cancellation: cancellation);
        var last = result.Last;
        var fitness = last.ValidationTop1 ?? throw new GptNasException("proxy fitness needs a validation split; set validation_fraction above 0");
        return new EvaluationResult(fitness, new Dictionary<string, double>
        {
            ["val_top1"] = fitness,
            ["val_loss"] = last.ValidationLoss ?? double.NaN,
            ["train_loss"] = last.TrainLoss,
            ["train_top1"] = last.TrainAccuracy,
            ["parameters"] = architecture.Parameters,
            ["flops"] = architecture.Flops,
            ["trained_parameters"] = trainable.Sum(p => p.numel()),
            ["acceleration"] = (int)mode,
            ["images_per_second"] = last.ImagesPerSecond,
        });
    }

    /// <summary>What the proxy trains, and which rule chose it (0 full, 1 predicted blocks, 2 BatchNorm only).</summary>
    /// <remarks>
    /// NOTE: the classifier (fc) trains in every mode; the paper names only the predicted blocks, but a frozen
    /// random read-out would make the proxy score the read-out's luck rather than the architecture.
    /// </remarks>
    public static (List<Parameter> Parameters, int Mode) Trainable(Network network, IReadOnlyList<int> predicted, Acceleration acceleration)
    {
        var head = network.named_children().Where(c => c.name == "fc").SelectMany(c => c.module.parameters()).ToList();
        if (acceleration == Acceleration.Full) return (network.parameters().ToList(), 0);
        var stem = network.Architecture.Stem.Count;
        if (predicted.Count > 0)
            return (predicted.SelectMany(i => network.Blocks[stem + i].parameters()).Concat(head).ToList(), 1);
        var norms = network.modules().OfType<BatchNorm2d>().SelectMany(m => m.parameters()).ToList();
        return norms.Count > 0 ? (norms.Concat(head).ToList(), 2) : (network.parameters().ToList(), 0);
    }

    /// <summary>
    /// The training images proxies see: a share of the training split (§7 uses 10% of ImageNet), at most
    /// <see cref="ProxySettings.MaxTrainImages"/>, drawn once from the run's <paramref name="seeds"/> ("proxy-images"),
    /// so every trial of a run sees the same ones and another seed draws others.
    /// </summary>
    public static DataSplits ProxyData(DataSplits data, ProxySettings settings, Seeds seeds)
    {
        var count = settings.TrainFraction >= 1 ? data.Train.Count : Math.Max(1, (int)(data.Train.Count * settings.TrainFraction));
        if (settings.MaxTrainImages > 0) count = Math.Min(count, settings.MaxTrainImages);
        if (count == data.Train.Count) return data;
        var indices = Enumerable.Range(0, data.Train.Count).ToArray();
        seeds.Random("proxy-images").Shuffle(indices);
        return new DataSplits(data.Train.Subset(indices[..count], $"{data.Train.Source} ({count:N0} of {data.Train.Count:N0} for proxies)"), data.Validation, data.Test);
    }
}
