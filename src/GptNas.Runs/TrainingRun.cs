using GptNas.Architectures;
using GptNas.Data;
using GptNas.Networks;
using GptNas.Training;
using TorchSharp;

namespace GptNas.Runs;

/// <summary>
/// Training one architecture into a run folder: <c>gptnas train</c> (<see cref="Run"/>) and a search's final
/// training (<see cref="Train"/>) take this one path.
/// </summary>
public static class TrainingRun
{
    /// <summary><c>gptnas train</c>: the folder's config and architecture, then its weights and <c>metrics.json</c>.</summary>
    public static TrainedModel Run(RunFolder folder, TrainingRunConfig record, Architecture architecture, DataSplits data, torch.Device device,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        folder.Create();
        folder.WriteTrainingConfig(record);
        folder.WriteArchitecture(architecture);
        var result = Train(folder, architecture, data, record.Config, device, progress, cancellation);
        folder.WriteMetrics(result);
        return result;
    }

    /// <summary>
    /// Trains <paramref name="architecture"/> from <paramref name="config"/>'s seed and saves its weights in
    /// <paramref name="folder"/> (a checkpoint after every epoch while it runs); tests it on the test split.
    /// </summary>
    public static TrainedModel Train(RunFolder folder, Architecture architecture, DataSplits data, TrainingConfig config, torch.Device device,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        using var network = NetworkBuilder.Build(architecture, new Seeds(config.Seed));
        var batches = new DataBatches(data, config);
        var result = new Trainer(config, device).Fit(network, batches.Train, batches.Validation, batches.Test, progress: progress,
            onEpochEnd: (_, _) => Checkpoint.SaveWeights(network, folder.CheckpointFile), cancellation: cancellation);
        Checkpoint.SaveWeights(network, folder.WeightsFile);
        File.Delete(folder.CheckpointFile);
        var test = result.Test!;
        return new TrainedModel
        {
            Hash = architecture.Hash, Parameters = architecture.Parameters, Flops = architecture.Flops,
            TestTop1 = test.Top1, TestTop5 = test.Top5, TestLoss = test.Loss, TestImages = test.Images,
            Seconds = result.Seconds, History = result.History,
        };
    }
}
