using GptNas.Architectures;
using GptNas.Data;
using GptNas.Networks;
using GptNas.Training;
using TorchSharp;

namespace GptNas.Runs;

/// <summary>
/// Training one architecture into a run folder: <c>gptnas train</c> (<see cref="Run"/>) and a search's final
/// training (<see cref="Train"/>) take this one path. Both resume from the folder's checkpoint.
/// </summary>
public static class TrainingRun
{
    /// <summary>
    /// <c>gptnas train</c>: its weights, then the folder's config, architecture and <c>metrics.json</c>, so a training
    /// that fails (a NaN loss, a full disk) leaves the folder's earlier run whole.
    /// </summary>
    /// <param name="overwrite">True: replace a finished training with other settings; false: refuse it (see <see cref="Check"/>).</param>
    public static TrainedModel Run(RunFolder folder, TrainingRunConfig record, Architecture architecture, DataSplits data, torch.Device device,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default, bool overwrite = false)
    {
        folder.Create();
        using var held = RunLock.Acquire(folder, "gptnas train", shared: false);
        folder.ClaimFor(GptNasJson.Serialize(record), overwrite, "training", clear: false);
        var result = Train(folder, architecture, data, record.Data, record.Config, device, progress, cancellation);
        folder.WriteTrainingConfig(record);
        folder.WriteArchitecture(architecture);
        folder.WriteMetrics(result);
        return result;
    }

    /// <summary>
    /// What <see cref="Run"/> would refuse, checked before any data loads: the recipe's settings (named as
    /// <paramref name="rename"/> maps them to options), an output folder that cannot be created, or one that holds a
    /// training with other settings. Returns the warnings.
    /// </summary>
    public static IReadOnlyList<string> Check(RunFolder folder, TrainingRunConfig record, bool overwrite, Func<string, string?>? rename = null)
    {
        var check = new Config.SettingsCheck { Rename = rename };
        record.Config.Validate(check, "");
        var warnings = check.ThrowIfInvalid();
        folder.CheckCanCreate();
        if (!overwrite) folder.ClaimFor(GptNasJson.Serialize(record), overwrite: false, "training");
        return warnings;
    }

    /// <summary>
    /// Trains <paramref name="architecture"/> from <paramref name="config"/>'s seed and saves its weights and its
    /// <see cref="ModelInput"/> in <paramref name="folder"/>; tests it on the test split. A checkpoint is written after
    /// every epoch; when the folder holds one of this same training (a killed run), training resumes after its epoch.
    /// </summary>
    public static TrainedModel Train(RunFolder folder, Architecture architecture, DataSplits data, string dataName, TrainingConfig config,
        torch.Device device, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        using var network = NetworkBuilder.Build(architecture, new Seeds(config.Seed));
        var batches = new DataBatches(data, config);
        var checkpoint = new TrainingCheckpoint(folder.CheckpointFile, $"{architecture.Hash} {dataName} {data} {GptNasJson.Serialize(config)}");
        var result = new Trainer(config, device).Fit(network, batches.Train, batches.Validation, batches.Test, progress: progress,
            checkpoint: checkpoint, cancellation: cancellation);
        Checkpoint.SaveWeights(network, folder.WeightsFile);
        folder.WriteModelInput(InputOf(data, dataName));
        checkpoint.Delete();
        var test = result.Test!;
        return new TrainedModel
        {
            Hash = architecture.Hash, Parameters = architecture.Parameters, Flops = architecture.Flops,
            TestTop1 = test.Top1, TestTop5 = test.Top5, TestTop1Augmented = test.AugmentedTop1, TestLoss = test.Loss, TestImages = test.Images,
            Seconds = result.Seconds, History = result.History,
        };
    }

    /// <summary>What a model trained on <paramref name="data"/> expects: its shape, the training split's normalization, its classes.</summary>
    public static ModelInput InputOf(DataSplits data, string dataName) => new()
    {
        Channels = data.Train.Channels, Height = data.Train.Height, Width = data.Train.Width,
        Mean = data.Normalization.Mean, Std = data.Normalization.Std, ClassNames = [.. data.Train.ClassNames], Data = dataName,
    };
}
