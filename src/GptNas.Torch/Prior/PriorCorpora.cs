using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Gpt;

namespace GptNas.Prior;

/// <summary>Token-id sequences of one corpus, split by architecture: a held-out architecture contributes no token to training.</summary>
/// <param name="Train">Sequences trained on.</param>
/// <param name="HeldOut">Sequences only evaluated.</param>
/// <param name="TrainLabels">Per training sequence, the block kind of each layer (null for the head); null for an unlabelled corpus.</param>
/// <param name="HeldOutLabels">The same for the held-out sequences.</param>
/// <param name="Copies">Extra training sequences derived from <paramref name="Train"/> alone (see <see cref="PriorTrainingConfig.FallbackCopies"/>).</param>
/// <param name="CopyLabels">Their block kinds.</param>
public sealed record CorpusSplit(IReadOnlyList<int[]> Train, IReadOnlyList<int[]> HeldOut,
    IReadOnlyList<BlockKind?[]>? TrainLabels = null, IReadOnlyList<BlockKind?[]>? HeldOutLabels = null,
    IReadOnlyList<int[]>? Copies = null, IReadOnlyList<BlockKind?[]>? CopyLabels = null)
{
    /// <summary>The training sequences and their copies: what the GPT and the bigram of this corpus learn from.</summary>
    public IReadOnlyList<int[]> TrainWithCopies => Copies is { Count: > 0 } ? [.. Train, .. Copies] : Train;
}

/// <summary>The two corpora of a prior, encoded with the vocabulary over both, and split for evaluation.</summary>
/// <param name="Vocabulary">The distinct tokens of the training architectures of both corpora.</param>
/// <param name="PreTrainingManifest">The NAS-Bench-101 corpus as built.</param>
/// <param name="FineTuningManifest">The reference-CNN corpus as built.</param>
/// <param name="Cells">The NAS-Bench-101 networks, split by cell.</param>
/// <param name="Networks">The reference CNNs, split by whole network, with block labels.</param>
/// <param name="TrainNetworks">Names of the reference CNNs trained on, in corpus order.</param>
/// <param name="HeldOutNetworks">Names of the reference CNNs held out, in corpus order.</param>
/// <param name="UnseenCellTokens">Token occurrences in the held-out cells that the vocabulary lacks.</param>
/// <param name="UnseenNetworkTokens">Token occurrences in the held-out networks that the vocabulary lacks.</param>
/// <param name="ClassifierOnly">Labelled sequences only the block classifier learns from: a sample of the training cells
/// (their conv-BN-ReLU and max-pool layers) and the training networks with their max-pool blocks as average pools.</param>
public sealed record PriorData(Vocabulary Vocabulary, CorpusManifest PreTrainingManifest, CorpusManifest FineTuningManifest,
    CorpusSplit Cells, CorpusSplit Networks, IReadOnlyList<string> TrainNetworks, IReadOnlyList<string> HeldOutNetworks,
    long UnseenCellTokens, long UnseenNetworkTokens, IReadOnlyList<(int[] Ids, BlockKind?[] Labels)> ClassifierOnly)
{
    /// <summary>Block classifier examples of the training architectures (head and merge layers skipped).</summary>
    public IReadOnlyList<BlockExample> TrainExamples(int context) =>
        PriorCorpora.Examples([.. Networks.TrainWithCopies, .. ClassifierOnly.Select(c => c.Ids)],
            [.. Networks.TrainLabels!, .. Networks.CopyLabels ?? [], .. ClassifierOnly.Select(c => c.Labels)], context);

    /// <summary>What the GPT is fine-tuned on each epoch: the training networks, each as often as
    /// <see cref="PriorTrainingConfig.NetworkRepeats"/> says, their fallback copies, then the replayed cells (a seeded sample of the
    /// training cells).</summary>
    public IReadOnlyList<int[]> FineTuningSequences(PriorTrainingConfig config)
    {
        var picked = CorpusBuilder.SampleIndices(Cells.Train.Count, ReplayedCells(config), (ulong)new Seeds(config.Seed).Derive("replay"));
        var repeated = TrainNetworks.Zip(Networks.Train)
            .SelectMany(network => Enumerable.Repeat(network.Second, config.NetworkRepeats.GetValueOrDefault(network.First, 1) - 1));
        return [.. Networks.TrainWithCopies, .. repeated, .. picked.Select(i => Cells.Train[i])];
    }

    /// <summary>How many training cells <see cref="FineTuningSequences"/> replays.</summary>
    public int ReplayedCells(PriorTrainingConfig config) => Math.Min(config.FineTuningReplayCells, Cells.Train.Count);

    /// <summary>Block classifier examples of the held-out networks.</summary>
    public IReadOnlyList<BlockExample> HeldOutExamples(int context) => PriorCorpora.Examples(Networks.HeldOut, Networks.HeldOutLabels!, context);
}

/// <summary>
/// Builds, reads and splits the corpora of a prior, deterministically from a <see cref="PriorTrainingConfig"/>:
/// the same config gives the same corpus bytes (checked against the manifests by <see cref="PriorEvaluator"/>),
/// the same vocabulary and the same held-out architectures.
/// </summary>
public static class PriorCorpora
{
    public const string PreTrainingFile = "pretrain.txt";
    public const string FineTuningFile = "finetune.txt";

    /// <summary>Writes both corpus files (with manifests, and labels for the fine-tuning one) to <paramref name="folder"/>.</summary>
    public static (CorpusManifest PreTraining, CorpusManifest FineTuning) Write(PriorTrainingConfig config, string folder,
        IProgress<string>? log = null, CancellationToken cancellation = default)
    {
        config.Validate();
        Directory.CreateDirectory(folder);
        log?.Report(config.Sample is { } n ? $"pre-training corpus: a uniform sample of {n:N0} NAS-Bench-101 cells at {config.Input}"
            : $"pre-training corpus: every NAS-Bench-101 cell at {config.Input}");
        var pre = CorpusBuilder.BuildPreTraining(new PreTrainingCorpusOptions
        {
            MaxVertices = config.MaxVertices,
            MaxEdges = config.MaxEdges,
            Sample = config.Sample,
            Seed = (ulong)new Seeds(config.Seed).Derive("corpus/sample"),
            Input = config.InputShape,
            Classes = config.Classes,
            AccuracyTable = config.AccuracyTable,
            MinAccuracy = config.MinAccuracy,
        }, Path.Combine(folder, PreTrainingFile), cancellation: cancellation);
        log?.Report($"fine-tuning corpus: {config.Networks.Count} networks at {config.Input}");
        var fine = CorpusBuilder.BuildFineTuning(new FineTuningCorpusOptions
        {
            Networks = config.Networks,
            Input = config.InputShape,
            Classes = config.Classes,
        }, Path.Combine(folder, FineTuningFile));
        log?.Report($"corpora: {pre.Architectures:N0} cells ({pre.Tokens:N0} tokens), {fine.Architectures} networks ({fine.Tokens:N0} tokens)");
        return (pre, fine);
    }

    /// <summary>Writes the corpora to <paramref name="folder"/>, then reads, encodes and splits them.</summary>
    public static PriorData Build(PriorTrainingConfig config, string folder, IProgress<string>? log = null, CancellationToken cancellation = default)
    {
        var (preManifest, fineManifest) = Write(config, folder, log, cancellation);
        return Read(config, folder, preManifest, fineManifest);
    }

    /// <summary>Reads corpora written by <see cref="Write"/> and splits them as <paramref name="config"/> says.</summary>
    /// <remarks>
    /// The vocabulary holds the distinct tokens of the training architectures of both corpora. Held-out
    /// architectures are encoded with <see cref="Vocabulary.Encode(LayerToken)"/>'s nearest-token fallback,
    /// exactly as a candidate is at search time, so no held-out architecture shapes the prior, not even its
    /// token list. The split depends only on the line counts, so it is drawn before any line is read.
    /// </remarks>
    public static PriorData Read(PriorTrainingConfig config, string folder, CorpusManifest preManifest, CorpusManifest fineManifest)
    {
        var prePath = Path.Combine(folder, PreTrainingFile);
        var finePath = Path.Combine(folder, FineTuningFile);
        var seeds = new Seeds(config.Seed);
        var cellCount = preManifest.Architectures;
        if (cellCount < 2) throw new GptNasException($"the pre-training corpus holds {cellCount} cell; it needs at least 2 to hold one out");
        var heldOutCount = Math.Clamp((int)Math.Round(config.HeldOutCells * cellCount), 1, cellCount - 1);
        var heldOutCells = CorpusBuilder.SampleIndices(cellCount, heldOutCount, (ulong)seeds.Derive("split/cells")).ToHashSet();
        var heldOutNames = HeldOutNetworks(config, seeds.Random("split/networks"));
        var isHeldOutNetwork = config.Networks.Select(heldOutNames.Contains).ToArray();

        // Two passes over the (possibly large) pre-training file: tokens first, then ids, so only ints stay in memory.
        // Pass 1 counts in how many training architectures each token occurs; its keys are the vocabulary.
        var architectures = new Dictionary<LayerToken, int>();
        void Count(IReadOnlyList<LayerToken> line)
        {
            foreach (var token in line.Distinct()) architectures[token] = architectures.GetValueOrDefault(token) + 1;
        }
        foreach (var (line, i) in CorpusFile.Read(prePath).Select((line, i) => (line, i)))
            if (!heldOutCells.Contains(i)) Count(line);
        var networks = CorpusFile.Read(finePath).ToList();
        for (var i = 0; i < networks.Count; i++)
            if (!isHeldOutNetwork[i]) Count(networks[i]);
        var labels = CorpusFile.ReadLabels(CorpusFile.LabelsPath(finePath)).Select(l => l.ToArray()).ToList();
        var averaged = Enumerable.Range(0, networks.Count).Where(i => !isHeldOutNetwork[i]).Select(i => AveragePooled(networks[i], labels[i]))
            .Where(c => c.Labels.Contains(BlockKind.AvgPool)).ToList();
        // The average pools enter the vocabulary (candidates use them) but not the GPT's corpus: no corpus network has one.
        var vocabulary = Vocabulary.Build(architectures.Keys.Concat(averaged.SelectMany(c => c.Tokens)));

        var cells = new List<int[]>(cellCount);
        var classifierCells = CorpusBuilder.SampleIndices(cellCount, Math.Min(config.ClassifierCells, cellCount), (ulong)seeds.Derive("classifier/cells"))
            .Where(i => !heldOutCells.Contains(i)).ToHashSet();
        var classifierOnly = new List<(int[] Ids, BlockKind?[] Labels)>();
        long unseenCellTokens = 0;
        foreach (var (line, i) in CorpusFile.Read(prePath).Select((line, i) => (line, i)))
        {
            cells.Add(vocabulary.Encode(line));
            if (heldOutCells.Contains(i)) unseenCellTokens += Unseen(architectures, [line]);
            if (classifierCells.Contains(i)) classifierOnly.Add((cells[^1], Corpora.NasBench101.NasBench101Skeleton.BlockLabels(line)));
        }
        classifierOnly.AddRange(averaged.Select(c => (vocabulary.Encode(c.Tokens), c.Labels)));
        var networkIds = networks.Select(line => vocabulary.Encode(line)).ToList();
        var cellSplit = new CorpusSplit(
            cells.Where((_, i) => !heldOutCells.Contains(i)).ToArray(),
            cells.Where((_, i) => heldOutCells.Contains(i)).ToArray());
        var trainNetworks = networks.Where((_, i) => !isHeldOutNetwork[i]).ToArray();
        var trainLabels = labels.Where((_, i) => !isHeldOutNetwork[i]).ToArray();
        var copies = config.FallbackCopies ? FallbackCopies(trainNetworks, trainLabels, architectures, vocabulary) : [];
        var networkSplit = new CorpusSplit(
            networkIds.Where((_, i) => !isHeldOutNetwork[i]).ToArray(), networkIds.Where((_, i) => isHeldOutNetwork[i]).ToArray(),
            trainLabels, labels.Where((_, i) => isHeldOutNetwork[i]).ToArray(),
            copies.Select(c => c.Ids).ToArray(), copies.Select(c => c.Labels).ToArray());
        return new PriorData(vocabulary, preManifest, fineManifest, cellSplit, networkSplit,
            config.Networks.Where((_, i) => !isHeldOutNetwork[i]).ToArray(), config.Networks.Where((_, i) => isHeldOutNetwork[i]).ToArray(),
            unseenCellTokens, Unseen(architectures, networks.Where((_, i) => isHeldOutNetwork[i])), classifierOnly);
    }

    /// <summary>A network with each max-pool block (label MaxPool) as an average pool of the same window, labelled AvgPool.</summary>
    private static (LayerToken[] Tokens, BlockKind?[] Labels) AveragePooled(IReadOnlyList<LayerToken> tokens, BlockKind?[] labels)
    {
        var copy = tokens.ToArray();
        var copyLabels = labels.ToArray();
        for (var i = 0; i < copy.Length; i++)
            if (labels[i] == BlockKind.MaxPool && copy[i].Category == LayerCategory.Pool)
                (copy[i], copyLabels[i]) = (copy[i].WithPool(PoolType.Avg), BlockKind.AvgPool);
        return (copy, copyLabels);
    }

    /// <summary>
    /// Each training network that holds tokens no other training architecture has, as it reads through a
    /// vocabulary without those tokens: they become their nearest known tokens, as the layers of an unseen
    /// network (or a search candidate of unusual width) do. Ids are those of <paramref name="vocabulary"/>.
    /// </summary>
    /// <param name="architectures">In how many training architectures each token occurs: a token met in one only
    /// is that architecture's own.</param>
    private static List<(int[] Ids, BlockKind?[] Labels)> FallbackCopies(IReadOnlyList<IReadOnlyList<LayerToken>> networks,
        IReadOnlyList<BlockKind?[]> labels, Dictionary<LayerToken, int> architectures, Vocabulary vocabulary)
    {
        var copies = new List<(int[], BlockKind?[])>();
        for (var n = 0; n < networks.Count; n++)
        {
            var own = networks[n].Where(t => architectures[t] == 1).ToHashSet();
            if (own.Count == 0) continue;
            var without = Vocabulary.Build(architectures.Keys.Where(t => !own.Contains(t)));
            var ids = networks[n].Select(t => without.TokenAt(without.Encode(t)) is { } near ? vocabulary.Encode(near) : Vocabulary.UnkId).ToArray();
            copies.Add((ids, labels[n]));
        }
        return copies;
    }

    /// <summary>Token occurrences of <paramref name="lines"/> that the vocabulary lacks (encoded by the fallback).</summary>
    private static long Unseen(Dictionary<LayerToken, int> known, IEnumerable<IReadOnlyList<LayerToken>> lines) =>
        lines.Sum(line => (long)line.Count(t => !known.ContainsKey(t)));

    /// <summary>
    /// <see cref="PriorTrainingConfig.HeldOutPerFamily"/> networks drawn from each family with at least
    /// <see cref="PriorTrainingConfig.MinFamilySize"/> members, families in corpus order.
    /// </summary>
    public static IReadOnlySet<string> HeldOutNetworks(PriorTrainingConfig config, Random random)
    {
        var heldOut = new HashSet<string>(StringComparer.Ordinal);
        foreach (var family in config.Networks.GroupBy(Family))
        {
            var members = family.ToList();
            if (members.Count < config.MinFamilySize) continue;
            for (var k = 0; k < config.HeldOutPerFamily; k++)
            {
                var pick = members[random.Next(members.Count)];
                members.Remove(pick);
                heldOut.Add(pick);
            }
        }
        if (heldOut.Count == 0 && config.HeldOutPerFamily > 0)
            throw new GptNasException($"no family of the fine-tuning networks has {config.MinFamilySize} members, so none can be held out for evaluation; name more networks of one family or lower prior.min_family_size");
        return heldOut;
    }

    private static readonly string[] Families = ["efficientnet", "googlenet", "regnet_x", "regnet_y", "resnext", "resnet", "shufflenet_v2", "wide_resnet"];

    /// <summary>The torchvision family of a reference network (its name without the size suffix); the small-image networks are one family.</summary>
    public static string Family(string network) => SmallNetworks.Contains(network) ? "small"
        : Families.FirstOrDefault(f => network.StartsWith(f, StringComparison.Ordinal)) ?? network;

    /// <summary>
    /// One example per labelled layer: the context <see cref="PriorContext.Before"/> gives at its position (what the
    /// classifier reads at search time), the layer's token and its block kind. Head layers (no block) are skipped.
    /// </summary>
    public static IReadOnlyList<BlockExample> Examples(IReadOnlyList<int[]> sequences, IReadOnlyList<BlockKind?[]> labels, int context)
    {
        var examples = new List<BlockExample>();
        for (var s = 0; s < sequences.Count; s++)
            for (var p = 0; p < sequences[s].Length; p++)
                if (labels[s][p] is { } kind)
                    examples.Add(new BlockExample(PriorContext.Before(sequences[s], p, context), sequences[s][p], kind));
        return examples;
    }
}
