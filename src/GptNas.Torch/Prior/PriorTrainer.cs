using System.Diagnostics;
using GptNas.Corpora;
using GptNas.Gpt;
using TorchSharp;

namespace GptNas.Prior;

/// <summary>
/// Builds a prior folder end to end (GPT-NAS §4): writes the NAS-Bench-101 and reference-CNN corpora, builds
/// the vocabulary over both, holds out whole architectures, pre-trains the GPT on the cells, fine-tunes it on
/// the reference CNNs, trains the block classifier on (<see cref="PriorContext.Before"/>, token, block kind)
/// examples, evaluates everything on the held-out architectures against the bigram and majority baselines,
/// and writes <c>vocabulary.txt</c>, <c>gpt/</c>, <c>classifier/</c> and <c>prior.json</c>.
/// </summary>
/// <remarks>
/// Reproducible: every random choice derives from <see cref="PriorTrainingConfig.Seed"/>, so the same config,
/// device and thread count give the same weights and numbers.
/// </remarks>
public static class PriorTrainer
{
    /// <param name="config">What to build; validated and resolved (derived seeds) here.</param>
    /// <param name="folder">The prior folder; its four entries are replaced.</param>
    /// <param name="corpusFolder">Where the corpus files are written and kept; null writes them to a scratch folder removed afterwards.</param>
    /// <param name="device">Where the GPT trains; null is the CPU.</param>
    /// <param name="log">One line per stage and epoch.</param>
    /// <returns>What was written to <c>prior.json</c>.</returns>
    public static PriorManifest Train(PriorTrainingConfig config, string folder, string? corpusFolder = null, torch.Device? device = null,
        IProgress<string>? log = null, CancellationToken cancellation = default)
    {
        config = config.Validate().Resolved();
        var total = Stopwatch.StartNew();
        var seconds = new Dictionary<string, double>();
        var work = corpusFolder ?? PriorEvaluator.ScratchFolder();
        try
        {
            var data = Stage(seconds, "corpora", () => PriorCorpora.Build(config, work, log, cancellation));
            log?.Report($"vocabulary: {data.Vocabulary.Count} ids; held out {data.Cells.HeldOut.Count:N0} of {data.Cells.Train.Count + data.Cells.HeldOut.Count:N0} cells " +
                        $"and {string.Join(", ", data.HeldOutNetworks)}; held-out token occurrences missing from the vocabulary: " +
                        $"{data.UnseenCellTokens:N0} in the cells, {data.UnseenNetworkTokens:N0} in the networks");
            Directory.CreateDirectory(folder);
            data.Vocabulary.Save(Path.Combine(folder, ArchitecturePrior.VocabularyFile));

            using var gpt = new GptModel(config.Gpt, data.Vocabulary.Count, new Seeds(config.Seed).Derive("gpt/init"));
            var run = TrainGpt(config, data, gpt, folder, device, seconds, log, cancellation);

            using var classifier = new BlockClassifier(config.Classifier, data.Vocabulary.Count);
            var train = data.TrainExamples(config.Gpt.Context);
            log?.Report($"block classifier: {train.Count:N0} labelled layers, {config.Classifier.Epochs} epochs");
            var classifierLosses = Stage(seconds, "classifier", () => classifier.Fit(train));
            classifier.Save(Path.Combine(folder, ArchitecturePrior.ClassifierFolder), data.Vocabulary.Hash);

            var evaluation = Stage(seconds, "evaluation", () => PriorEvaluator.Evaluate(gpt, classifier, data, new Seeds(config.Seed)));
            seconds["total"] = Math.Round(total.Elapsed.TotalSeconds, 1);
            var manifest = Manifest(config, data, evaluation, run, new PriorTrainingLog
            {
                PreTrainingLosses = run.PreTraining.Select(e => e.Loss).ToArray(),
                FineTuningLosses = run.FineTuning.Select(e => e.Loss).ToArray(),
                ClassifierLosses = classifierLosses,
                GptSteps = run.Steps,
                Seconds = seconds,
                Device = (device ?? torch.CPU).ToString(),
                Threads = torch.get_num_threads(),
            });
            manifest.Write(folder);
            log?.Report($"prior written to {folder} in {total.Elapsed.TotalMinutes:F1} min");
            return manifest;
        }
        finally
        {
            if (corpusFolder is null && Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>What the two GPT stages produced: their epochs, the steps taken, and the pre-trained GPT's held-out scores.</summary>
    private sealed record GptRun(IReadOnlyList<GptEpoch> PreTraining, IReadOnlyList<GptEpoch> FineTuning, long Steps,
        CorpusEvaluation PreTrainedOnCells, CorpusEvaluation PreTrainedOnNetworks);

    /// <summary>Pre-trains on the cells, scores that GPT, fine-tunes it and saves it to <c>gpt/</c>.</summary>
    private static GptRun TrainGpt(PriorTrainingConfig config, PriorData data, GptModel gpt, string folder, torch.Device? device,
        Dictionary<string, double> seconds, IProgress<string>? log, CancellationToken cancellation)
    {
        using var pre = new GptTrainer(gpt, config.PreTraining, device);
        var preEpochs = Stage(seconds, "pretraining", () => config.PreTraining.Epochs == 0 ? []
            : pre.Fit(data.Cells.Train, progress: EpochLog(log, "pre-training", config.PreTraining.Epochs), cancellation: cancellation));
        var (onCells, onNetworks) = Stage(seconds, "pretraining_evaluation", () =>
            (PriorEvaluator.Corpus(gpt, data.Vocabulary.Count, data.Cells), PriorEvaluator.Corpus(gpt, data.Vocabulary.Count, data.Networks)));
        log?.Report($"after pre-training: held-out cells accuracy {onCells.Gpt.Accuracy:P2}, held-out networks accuracy {onNetworks.Gpt.Accuracy:P2}");

        using var fine = new GptTrainer(gpt, config.FineTuning, device);
        var fineTuning = data.FineTuningSequences(config);
        var replayed = data.ReplayedCells(config);
        log?.Report($"fine-tuning on {data.Networks.Train.Count} networks, {data.Networks.Copies?.Count ?? 0} fallback copies, " +
                    $"{fineTuning.Count - data.Networks.TrainWithCopies.Count - replayed} repeats and {replayed} replayed cells");
        var fineEpochs = Stage(seconds, "finetuning", () => config.FineTuning.Epochs == 0 ? []
            : fine.Fit(fineTuning, progress: EpochLog(log, "fine-tuning", config.FineTuning.Epochs), cancellation: cancellation));
        var gptFolder = Path.Combine(folder, ArchitecturePrior.GptFolder);
        if (config.KeepOptimizerState) fine.Save(gptFolder, data.Vocabulary.Hash);
        else GptCheckpoint.Save(gptFolder, gpt, data.Vocabulary.Hash, pre.Step + fine.Step, pre.CompletedEpochs + fine.CompletedEpochs);
        return new GptRun(preEpochs, fineEpochs, pre.Step + fine.Step, onCells, onNetworks);
    }

    private static PriorManifest Manifest(PriorTrainingConfig config, PriorData data, PriorEvaluation evaluation, GptRun run, PriorTrainingLog training) => new()
    {
        Config = config,
        Seeds = config.DerivedSeeds(),
        VocabularySize = data.Vocabulary.Count,
        VocabularySha256 = data.Vocabulary.Hash,
        PreTrainingCorpus = data.PreTrainingManifest,
        FineTuningCorpus = data.FineTuningManifest,
        Split = new PriorSplit(data.Cells.Train.Count, data.Cells.HeldOut.Count, data.TrainNetworks, data.HeldOutNetworks,
            data.UnseenCellTokens, data.UnseenNetworkTokens),
        Evaluation = evaluation,
        PreTrainedOnlyOnCells = run.PreTrainedOnCells,
        PreTrainedOnlyOnNetworks = run.PreTrainedOnNetworks,
        Training = training,
    };

    private static T Stage<T>(Dictionary<string, double> seconds, string name, Func<T> run)
    {
        var clock = Stopwatch.StartNew();
        var result = run();
        seconds[name] = Math.Round(clock.Elapsed.TotalSeconds, 1);
        return result;
    }

    private static IProgress<GptEpoch>? EpochLog(IProgress<string>? log, string stage, int epochs) => log is null ? null
        : new SynchronousProgress<GptEpoch>(e => log.Report(
            $"{stage} epoch {e.Epoch}/{epochs}: loss {e.Loss:F4}, {e.Steps:N0} steps, {e.Seconds:F0} s, {e.TokensPerSecond:N0} tokens/s"));

    /// <summary>Reports on the caller's thread (System.Progress would post to the thread pool and reorder lines).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
