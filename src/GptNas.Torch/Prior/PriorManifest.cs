using System.Text.Json;
using System.Text.Json.Serialization;
using GptNas.Corpora;
using GptNas.Gpt;

namespace GptNas.Prior;

/// <summary>The GPT against the bigram baseline on the held-out architectures of one corpus.</summary>
/// <param name="Gpt">The GPT's next-token top-1 accuracy and perplexity.</param>
/// <param name="Bigram">A <see cref="BigramModel"/> fitted on the same corpus's training architectures.</param>
/// <param name="TrainArchitectures">Architectures (lines) trained on.</param>
/// <param name="HeldOutArchitectures">Architectures evaluated.</param>
public sealed record CorpusEvaluation(NextTokenEvaluation Gpt, NextTokenEvaluation Bigram, int TrainArchitectures, int HeldOutArchitectures)
{
    /// <summary>More accurate and less perplexed than the bigram.</summary>
    [JsonIgnore]
    public bool GptBeatsBigram => Gpt.Accuracy > Bigram.Accuracy && Gpt.Perplexity < Bigram.Perplexity;
}

/// <summary>The block classifier against always answering the training examples' most common kind.</summary>
/// <param name="Accuracy">Top-1 accuracy on the held-out networks' labelled layers.</param>
/// <param name="Majority">The majority baseline's accuracy on the same examples.</param>
/// <param name="TrainExamples">Labelled layers trained on.</param>
/// <param name="HeldOutExamples">Labelled layers evaluated.</param>
public sealed record ClassifierEvaluation(double Accuracy, double Majority, int TrainExamples, int HeldOutExamples);

/// <summary>How a prior scores on its held-out architectures.</summary>
/// <param name="PreTraining">On held-out NAS-Bench-101 cells.</param>
/// <param name="FineTuning">On held-out reference CNNs.</param>
/// <param name="Classifier">The block classifier on the held-out reference CNNs.</param>
/// <param name="SearchSpace">The vocabulary and the classifier on candidates of the search's own block space.</param>
public sealed record PriorEvaluation(CorpusEvaluation PreTraining, CorpusEvaluation FineTuning, ClassifierEvaluation Classifier,
    SearchSpaceEvaluation? SearchSpace = null)
{
    /// <summary>The numbers that differ by more than <paramref name="tolerance"/>, as "name: this vs other" items.</summary>
    public IReadOnlyList<string> Differences(PriorEvaluation other, double tolerance = 1e-4)
    {
        var differences = new List<string>();
        void Compare(string name, double mine, double theirs)
        {
            if (!(Math.Abs(mine - theirs) <= tolerance * Math.Max(1, Math.Abs(theirs)))) differences.Add($"{name}: {mine:G6} vs {theirs:G6}");
        }
        foreach (var (name, mine, theirs) in new[] { ("pretraining", PreTraining, other.PreTraining), ("finetuning", FineTuning, other.FineTuning) })
        {
            Compare($"{name}.gpt.accuracy", mine.Gpt.Accuracy, theirs.Gpt.Accuracy);
            Compare($"{name}.gpt.perplexity", mine.Gpt.Perplexity, theirs.Gpt.Perplexity);
            Compare($"{name}.bigram.accuracy", mine.Bigram.Accuracy, theirs.Bigram.Accuracy);
            Compare($"{name}.bigram.perplexity", mine.Bigram.Perplexity, theirs.Bigram.Perplexity);
        }
        Compare("classifier.accuracy", Classifier.Accuracy, other.Classifier.Accuracy);
        Compare("classifier.majority", Classifier.Majority, other.Classifier.Majority);
        if (SearchSpace is { } space && other.SearchSpace is { } otherSpace)
        {
            Compare("search_space.exact_tokens", space.ExactTokens, otherSpace.ExactTokens);
            Compare("search_space.classifier.accuracy", space.Classifier.Accuracy, otherSpace.Classifier.Accuracy);
        }
        return differences;
    }
}

/// <summary>
/// The prior on the search's own layers: candidates drawn from the quick preset's block space at 28x28x1 and 32x32x3
/// (<see cref="PriorEvaluator.SearchSpaceCandidates"/> of each, seeded), every layer labelled with its block's kind.
/// </summary>
/// <param name="Candidates">Candidates drawn.</param>
/// <param name="ExactTokens">Share of their layer tokens that are vocabulary tokens themselves (no nearest-token fallback).</param>
/// <param name="Classifier">The block classifier on their labelled layers, against the training corpora's majority kind.</param>
public sealed record SearchSpaceEvaluation(int Candidates, double ExactTokens, ClassifierEvaluation Classifier);

/// <summary>Which architectures were trained on and which held out.</summary>
/// <param name="TrainCells">NAS-Bench-101 cells trained on.</param>
/// <param name="HeldOutCells">NAS-Bench-101 cells held out (chosen by the seed "split/cells").</param>
/// <param name="TrainNetworks">Reference CNNs trained on.</param>
/// <param name="HeldOutNetworks">Reference CNNs held out (chosen by the seed "split/networks").</param>
/// <param name="UnseenCellTokens">Token occurrences in the held-out cells missing from the vocabulary (encoded by its nearest-token fallback).</param>
/// <param name="UnseenNetworkTokens">The same for the held-out networks.</param>
public sealed record PriorSplit(int TrainCells, int HeldOutCells, IReadOnlyList<string> TrainNetworks, IReadOnlyList<string> HeldOutNetworks,
    long UnseenCellTokens, long UnseenNetworkTokens);

/// <summary>How the training went: per-epoch losses and wall time of each stage.</summary>
public sealed record PriorTrainingLog
{
    /// <summary>Mean training cross-entropy per pre-training epoch.</summary>
    public required IReadOnlyList<double> PreTrainingLosses { get; init; }
    /// <summary>Mean training cross-entropy per fine-tuning epoch.</summary>
    public required IReadOnlyList<double> FineTuningLosses { get; init; }
    /// <summary>Mean training cross-entropy per classifier epoch.</summary>
    public required IReadOnlyList<double> ClassifierLosses { get; init; }
    /// <summary>GPT optimizer steps, pre-training and fine-tuning together.</summary>
    public required long GptSteps { get; init; }
    /// <summary>Wall seconds per stage: corpora, pretraining, finetuning, classifier, evaluation, total.</summary>
    public required IReadOnlyDictionary<string, double> Seconds { get; init; }
    /// <summary>Torch device and CPU threads used; another device or thread count may change the last digits.</summary>
    public required string Device { get; init; }
    public required int Threads { get; init; }
}

/// <summary>
/// <c>prior.json</c>: how a prior folder was made and how it scored. Holds the resolved config (its seeds
/// give back the corpora and the held-out split), the corpus manifests (whose hashes a rebuild must match)
/// and the vocabulary hash.
/// </summary>
public sealed record PriorManifest
{
    public const string CurrentFormat = "gptnas-prior/1";

    public string Format { get; init; } = CurrentFormat;
    /// <summary>The resolved training config (derived seeds filled in).</summary>
    public required PriorTrainingConfig Config { get; init; }
    /// <summary>The seeds derived from the root seed, by name.</summary>
    public required IReadOnlyDictionary<string, int> Seeds { get; init; }
    public required int VocabularySize { get; init; }
    public required string VocabularySha256 { get; init; }
    public required CorpusManifest PreTrainingCorpus { get; init; }
    public required CorpusManifest FineTuningCorpus { get; init; }
    public required PriorSplit Split { get; init; }
    /// <summary>The shipped GPT (after fine-tuning) and classifier on the held-out architectures.</summary>
    public required PriorEvaluation Evaluation { get; init; }
    /// <summary>The GPT after pre-training only, before fine-tuning, on the held-out architectures (not recomputable: those weights are not kept).</summary>
    public CorpusEvaluation? PreTrainedOnlyOnCells { get; init; }
    public CorpusEvaluation? PreTrainedOnlyOnNetworks { get; init; }
    public required PriorTrainingLog Training { get; init; }

    public string ToJson() => GptNasJson.Serialize(this);

    /// <summary>Reads <c>prior.json</c> of a prior folder.</summary>
    public static PriorManifest Read(string folder)
    {
        var path = Path.Combine(folder, ArchitecturePrior.ManifestFile);
        if (!File.Exists(path)) throw new GptNasException($"prior '{folder}' has no {ArchitecturePrior.ManifestFile}; train it with 'gptnas prior train --out {folder}'");
        PriorManifest? manifest;
        try { manifest = JsonSerializer.Deserialize<PriorManifest>(File.ReadAllText(path), GptNasJson.Options); }
        catch (JsonException e) { throw new GptNasException($"'{path}' is not a valid prior manifest: {e.Message}"); }
        if (manifest is null) throw new GptNasException($"'{path}' is empty");
        if (manifest.Format != CurrentFormat)
            throw new GptNasException($"'{path}' has format '{manifest.Format}'; this version reads '{CurrentFormat}'; train the prior again");
        return manifest;
    }

    public void Write(string folder) => File.WriteAllText(Path.Combine(folder, ArchitecturePrior.ManifestFile), ToJson() + "\n");
}
