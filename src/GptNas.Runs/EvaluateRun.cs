using GptNas.Data;
using GptNas.Reports;
using GptNas.Training;

namespace GptNas.Runs;

/// <summary>
/// <c>gptnas evaluate</c>: a trained model over a labelled split of a data set (by default the test split of the data it was
/// trained on), normalized as its training was: top-1, top-5, per-class accuracy and the confusion matrix, written to the
/// model folder's report (<c>evaluation.json</c>, <c>confusion.png</c>).
/// </summary>
public static class EvaluateRun
{
    private const int BatchSize = 256;
    public static readonly IReadOnlyList<string> Splits = ["test", "train"];

    /// <param name="dataName">The data set, as <c>--data</c> takes it; null: the one the model was trained on.</param>
    public static ModelEvaluation Evaluate(LoadedModel model, string? dataName, string split, Action<string>? log = null)
    {
        if (!Splits.Contains(split)) throw new GptNasException($"--split must be {string.Join(" or ", Splits)}, got '{split}'");
        var input = model.Input;
        dataName ??= input.Data.Length > 0 ? input.Data
            : throw new GptNasException($"'{model.Folder.ModelInputFile}' does not name the data the model was trained on; give --data");
        var splits = DataCatalog.Load(dataName, new DataOptions { ValidationFraction = 0 });
        var images = split == "train" ? splits.Train : splits.Test;
        var shape = new Architectures.Shape(images.Channels, images.Height, images.Width);
        if (shape != input.Shape || images.ClassCount != input.ClassNames.Length)
            throw new GptNasException($"'{dataName}' has {shape} images of {images.ClassCount} classes, but the model takes {input.Shape} images of " +
                                      $"{input.ClassNames.Length} classes; give the data it was trained on, or a copy of it in the same format");
        if (!images.ClassNames.SequenceEqual(input.ClassNames))
            log?.Invoke($"note: '{dataName}' names its classes {string.Join(", ", images.ClassNames)}; the model's are {string.Join(", ", input.ClassNames)} (matched by index)");

        var normalization = new ChannelStats(input.Mean, input.Std);
        var source = new SamplerBatchSource(new BatchSampler(images, BatchSize, normalization, Augmentation.None, shuffle: false));
        var confusion = new ConfusionMatrix(input.ClassNames.Length);
        var result = new Trainer(new TrainingConfig(), TorchRuntime.Device()).Evaluate(model.Network, source, confusion);
        var evaluation = new ModelEvaluation
        {
            Data = dataName, Split = split, Images = result.Images, Top1 = result.Top1, Top5 = input.ClassNames.Length > 5 ? result.Top5 : null,
            Loss = result.Loss, Hash = model.Architecture.Hash, Confusion = confusion.Counts,
            Classes = input.ClassNames.Select((name, c) => new ClassEvaluation(name, confusion.Images(c), confusion.Recall(c), confusion.Precision(c))).ToList(),
        };
        Write(model.Folder, evaluation);
        return evaluation;
    }

    /// <summary>The numbers and the confusion matrix's picture, each written whole or not at all.</summary>
    private static void Write(RunFolder folder, ModelEvaluation evaluation)
    {
        Directory.CreateDirectory(folder.ReportFolder);
        folder.WriteEvaluation(evaluation);
        AtomicFile.Write(folder.ConfusionMatrixFile, temporary => Plots.ConfusionMatrix(evaluation, temporary));
    }
}
