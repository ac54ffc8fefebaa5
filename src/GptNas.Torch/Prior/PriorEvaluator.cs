using GptNas.Architectures;
using GptNas.Config;
using GptNas.Corpora;
using GptNas.Gpt;
using GptNas.Spaces;

namespace GptNas.Prior;

/// <summary>
/// Scores a prior on its held-out architectures: the GPT against a bigram fitted on the same training
/// architectures, on both corpora, and the block classifier against the majority baseline. The held-out sets
/// are not stored: <see cref="Recompute"/> rebuilds them from <c>prior.json</c>'s config and seeds and checks
/// the rebuilt corpora against the stored manifests' hashes.
/// </summary>
public static class PriorEvaluator
{
    private const int EvaluationBatch = 512;

    /// <summary>The evaluation of a GPT and classifier on the held-out parts of <paramref name="data"/>; <paramref name="seeds"/> (the prior's) draws the search-space candidates.</summary>
    public static PriorEvaluation Evaluate(GptModel gpt, BlockClassifier classifier, PriorData data, Seeds seeds)
    {
        var train = data.TrainExamples(gpt.Config.Context);
        var heldOut = data.HeldOutExamples(gpt.Config.Context);
        return new PriorEvaluation(
            Corpus(gpt, data.Vocabulary.Count, data.Cells),
            Corpus(gpt, data.Vocabulary.Count, data.Networks),
            new ClassifierEvaluation(classifier.Evaluate(heldOut), BlockClassifier.MajorityBaseline(train, heldOut), train.Count, heldOut.Count),
            SearchSpace(classifier, data.Vocabulary, train, gpt.Config.Context, seeds));
    }

    /// <summary>Candidates drawn from the search space at each input size for <see cref="SearchSpaceEvaluation"/>.</summary>
    public const int SearchSpaceCandidates = 100;

    /// <summary>The vocabulary and the classifier on the layers of candidates of the quick preset's block space.</summary>
    public static SearchSpaceEvaluation SearchSpace(BlockClassifier classifier, Vocabulary vocabulary, IReadOnlyList<BlockExample> train, int context, Seeds seeds)
    {
        var examples = new List<BlockExample>();
        long tokens = 0, exact = 0;
        foreach (var input in new[] { new Shape(1, 28, 28), new Shape(3, 32, 32) })
        {
            var space = new BlockSpace(Presets.Get("quick").Space.For(input, 10));
            var random = seeds.Random($"evaluation/search-space/{input}");
            for (var i = 0; i < SearchSpaceCandidates; i++)
            {
                var (layers, labels) = CorpusBuilder.Labelled(space.Sample(random));
                tokens += layers.Count;
                exact += layers.Count(vocabulary.IsExact);
                examples.AddRange(PriorCorpora.Examples([vocabulary.Encode(layers)], [labels.ToArray()], context));
            }
        }
        return new SearchSpaceEvaluation(2 * SearchSpaceCandidates, (double)exact / tokens,
            new ClassifierEvaluation(classifier.Evaluate(examples), BlockClassifier.MajorityBaseline(train, examples), train.Count, examples.Count));
    }

    /// <summary>The GPT and a bigram fitted on <paramref name="split"/>'s training sequences (and their copies), on its held-out ones.</summary>
    public static CorpusEvaluation Corpus(GptModel gpt, int vocabularySize, CorpusSplit split) => new(
        GptTrainer.Evaluate(gpt, split.HeldOut, EvaluationBatch),
        new BigramModel(vocabularySize).Fit(split.TrainWithCopies).Evaluate(split.HeldOut),
        split.Train.Count, split.HeldOut.Count);

    /// <summary>
    /// Loads the prior in <paramref name="folder"/>, rebuilds its corpora and held-out split from <c>prior.json</c>
    /// (in a scratch folder, removed afterwards) and evaluates it again. Refuses when a rebuilt corpus, the
    /// vocabulary or the held-out networks differ from what the prior was trained on.
    /// </summary>
    /// <returns>What <c>prior.json</c> says and the recomputed evaluation.</returns>
    public static (PriorManifest Stored, PriorEvaluation Recomputed) Recompute(string folder, IProgress<string>? log = null, CancellationToken cancellation = default)
    {
        var stored = PriorManifest.Read(folder);
        using var prior = ArchitecturePrior.Load(folder);
        if (prior.Vocabulary.Hash != stored.VocabularySha256)
            throw new GptNasException($"the vocabulary of prior '{folder}' is not the one its {ArchitecturePrior.ManifestFile} records; the folder was mixed from two trainings, so train it again");
        var work = ScratchFolder();
        try
        {
            var (pre, fine) = PriorCorpora.Write(stored.Config, work, log, cancellation);
            Same("pre-training corpus", pre.CorpusSha256, stored.PreTrainingCorpus.CorpusSha256);
            Same("fine-tuning corpus", fine.CorpusSha256, stored.FineTuningCorpus.CorpusSha256);
            Same("fine-tuning labels", fine.LabelsSha256, stored.FineTuningCorpus.LabelsSha256);
            var data = PriorCorpora.Read(stored.Config, work, pre, fine);
            Same("vocabulary", data.Vocabulary.Hash, stored.VocabularySha256);
            if (!data.HeldOutNetworks.SequenceEqual(stored.Split.HeldOutNetworks) || data.Cells.HeldOut.Count != stored.Split.HeldOutCells)
                throw new GptNasException($"the held-out split rebuilt from the seeds ({string.Join(", ", data.HeldOutNetworks)}; {data.Cells.HeldOut.Count} cells) is not the one recorded in {ArchitecturePrior.ManifestFile}; train the prior again");
            log?.Report($"evaluating on {data.Cells.HeldOut.Count:N0} held-out cells and {data.HeldOutNetworks.Count} held-out networks");
            return (stored, Evaluate(prior.Gpt, prior.Classifier, data, new Seeds(stored.Config.Seed)));
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    internal static string ScratchFolder() => Path.Combine(Path.GetTempPath(), $"gptnas-prior-{Guid.NewGuid():N}");

    private static void Same(string what, string? rebuilt, string? stored)
    {
        if (rebuilt != stored)
            throw new GptNasException(
                $"the rebuilt {what} (sha256 {Short(rebuilt)}) is not the one the prior was trained on (sha256 {Short(stored)}); " +
                "the corpus code, the reference networks or the accuracy table changed since, so its held-out architectures cannot be recovered; train the prior again");
    }

    private static string Short(string? hash) => hash is null ? "none" : hash[..Math.Min(12, hash.Length)] + "…";
}
