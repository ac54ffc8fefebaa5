using GptNas.Architectures;
using GptNas.Config;
using GptNas.Data;
using GptNas.Networks;
using GptNas.Search;
using GptNas.Training;
using GptNas.Trials;
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
    /// <summary>The proxies' images at each rung of successive halving (one set without it); nested, the top rung's the largest.</summary>
    private readonly DataSplits[] _proxyData = Enumerable.Range(0, Math.Max(1, settings.Rungs))
        .Select(r => ProxyData(data, settings, seeds, (int)Math.Pow(settings.HalvingFactor(), Math.Max(1, settings.Rungs) - 1 - r))).ToArray();

    public EvaluationResult Evaluate(Individual<Architecture> individual, int seed, CancellationToken cancellation)
    {
        if (individual.Rung >= _proxyData.Length) throw new GptNasException($"rung {individual.Rung} asked of a proxy with {_proxyData.Length} rung(s)");
        var proxyData = _proxyData[individual.Rung];
        var architecture = individual.Candidate;
        using var network = NetworkBuilder.Build(architecture, new Seeds(seed));
        var (trainable, mode) = Trainable(network, individual.Predicted, settings.Acceleration);
        // Frozen weights need no gradients: backward then skips their weight gradients (inputs still get theirs).
        var train = trainable.ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var parameter in network.parameters()) parameter.requires_grad = train.Contains(parameter);
        var config = settings.Training with { Seed = seed };
        var batches = new DataBatches(proxyData, config);
        var result = new Trainer(config, device).Fit(network, batches.Train, batches.Validation, trainable: trainable, cancellation: cancellation);
        var last = result.Last;
        var fitness = last.ValidationTop1 ?? throw new GptNasException("proxy fitness needs a validation split; set validation_fraction above 0");
        return new EvaluationResult(fitness, new Dictionary<string, double>
        {
            [TrialMetrics.ValidationTop1] = fitness,
            [TrialMetrics.ValidationLoss] = last.ValidationLoss ?? double.NaN,
            [TrialMetrics.TrainLoss] = last.TrainLoss,
            [TrialMetrics.TrainTop1] = last.TrainAccuracy,
            [TrialMetrics.Parameters] = architecture.Parameters,
            [TrialMetrics.Flops] = architecture.Flops,
            [TrialMetrics.TrainedParameters] = trainable.Sum(p => p.numel()),
            [TrialMetrics.Acceleration] = (int)mode,
            [TrialMetrics.ImagesPerSecond] = last.ImagesPerSecond,
            [TrialMetrics.ProxyImages] = proxyData.Train.Count,
        });
    }

    /// <summary>Under the paper's acceleration the predicted blocks are what trains, so they are part of what was trained.</summary>
    public string TrainingKey(string hash, IReadOnlyList<int> predicted) =>
        settings.Acceleration == Acceleration.Predicted ? $"{hash}/{string.Join(",", predicted)}" : hash;

    /// <summary>What the proxy trains, and which rule chose it.</summary>
    /// <remarks>
    /// NOTE: the classifier (fc) trains in every mode; the paper names only the predicted blocks, but a frozen
    /// random read-out would make the proxy score the read-out's luck rather than the architecture.
    /// </remarks>
    public static (List<Parameter> Parameters, TrainedSet Mode) Trainable(Network network, IReadOnlyList<int> predicted, Acceleration acceleration)
    {
        var head = network.named_children().Where(c => c.name == "fc").SelectMany(c => c.module.parameters()).ToList();
        if (acceleration == Acceleration.Full) return (network.parameters().ToList(), TrainedSet.All);
        var stem = network.Architecture.Stem.Count;
        if (predicted.Count > 0)
            return (predicted.SelectMany(i => network.Blocks[stem + i].parameters()).Concat(head).ToList(), TrainedSet.PredictedBlocks);
        var norms = network.modules().OfType<BatchNorm>().SelectMany(m => m.parameters()).ToList();
        return norms.Count > 0 ? (norms.Concat(head).ToList(), TrainedSet.BatchNormOnly) : (network.parameters().ToList(), TrainedSet.All);
    }

    /// <summary>
    /// The training images proxies see: a share of the training split (§7 uses 10% of ImageNet), at most
    /// <see cref="ProxySettings.MaxTrainImages"/>, drawn once from the run's <paramref name="seeds"/> ("proxy-images"),
    /// so every trial of a run sees the same ones and another seed draws others. A <paramref name="divisor"/> above 1 (a low rung
    /// of successive halving) takes that share of them: the first of the same draw, so the rungs' images are nested.
    /// </summary>
    public static DataSplits ProxyData(DataSplits data, ProxySettings settings, Seeds seeds, int divisor = 1)
    {
        var count = settings.TrainFraction >= 1 ? data.Train.Count : Math.Max(1, (int)(data.Train.Count * settings.TrainFraction));
        if (settings.MaxTrainImages > 0) count = Math.Min(count, settings.MaxTrainImages);
        count = Math.Max(1, count / Math.Max(1, divisor));
        if (count == data.Train.Count) return data;
        var indices = Enumerable.Range(0, data.Train.Count).ToArray();
        seeds.Random("proxy-images").Shuffle(indices);
        return new DataSplits(data.Train.Subset(indices[..count], $"{data.Train.Source} ({count:N0} of {data.Train.Count:N0} for proxies)"), data.Validation, data.Test);
    }
}

/// <summary>Which parameters a proxy trained (stored as the trial's <see cref="TrialMetrics.Acceleration"/> metric).</summary>
public enum TrainedSet
{
    /// <summary>Every parameter: <see cref="Acceleration.Full"/>, or a network with neither predicted blocks nor BatchNorm.</summary>
    All = 0,
    /// <summary>The paper's acceleration: the GPT-predicted blocks and the classifier.</summary>
    PredictedBlocks = 1,
    /// <summary>No block was predicted: BatchNorm layers and the classifier.</summary>
    BatchNormOnly = 2,
}
