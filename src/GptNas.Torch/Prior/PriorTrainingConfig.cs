using System.Text.Json.Serialization;
using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Corpora.NasBench101;
using GptNas.Gpt;

namespace GptNas.Prior;

/// <summary>
/// Everything that makes a prior folder (GPT-NAS §4): the two corpora, the held-out split by architecture,
/// the GPT's pre-training and fine-tuning, and the block classifier. <see cref="PriorTrainer"/> stores the
/// resolved config (derived seeds filled in) in <c>prior.json</c>, and <see cref="PriorEvaluator"/> rebuilds
/// the corpora and the split from it, so the held-out sets never have to be shipped.
/// </summary>
public sealed record PriorTrainingConfig
{
    /// <summary>Root seed: the cell sample, both splits, the GPT's initialization and training, and the classifier derive theirs from it.</summary>
    public int Seed { get; init; }

    /// <summary>NAS-Bench-101 cells in the pre-training corpus, a seeded uniform sample; null keeps every cell
    /// (423,624, or those passing the accuracy filter; the paper uses the 295,889 at 90% or more).</summary>
    public int? Sample { get; init; } = 20_000;

    /// <summary>Largest cell, input and output included (NAS-Bench-101: 7); smaller spaces make quick tests.</summary>
    public int MaxVertices { get; init; } = Cell.MaxVertices;

    /// <summary>Most edges per cell (NAS-Bench-101: 9).</summary>
    public int MaxEdges { get; init; } = Cell.MaxEdges;

    /// <summary>CSV of NAS-Bench-101 validation accuracies; when given, only cells at or above <see cref="MinAccuracy"/> are kept.</summary>
    public string? AccuracyTable { get; init; }

    /// <summary>Accuracy filter threshold in percent (the paper: 90).</summary>
    public double MinAccuracy { get; init; } = 90;

    /// <summary>Input size both corpora are written at, HxWxC. Tokens are relative to it, so one prior serves any data set.</summary>
    public string Input { get; init; } = "32x32x3";

    /// <summary>Classes of every network's fc layer.</summary>
    public int Classes { get; init; } = 10;

    /// <summary>Networks of the fine-tuning corpus, by catalog name (default: the 36 reference CNNs of §4). NOTE: the small-image
    /// networks (<see cref="SmallNetworks"/>) may join them; the paper's corpus has none.</summary>
    public IReadOnlyList<string> Networks { get; init; } = ReferenceNetworks.Names;

    /// <summary>Training networks fine-tuned on more than once an epoch, by name: how many times (default: each once).
    /// NOTE: not in the paper; it weights a few networks made for the search's kind of images against the many that were not.</summary>
    public IReadOnlyDictionary<string, int> NetworkRepeats { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// A comma-separated list of networks: catalog names, <c>reference</c> for the 36 reference CNNs and <c>small</c> for the
    /// small-image networks, in the order given, each name once. An item ending in <c>*K</c> (<c>small*10</c>) is fine-tuned
    /// on K times an epoch (<see cref="NetworkRepeats"/>).
    /// </summary>
    public static (IReadOnlyList<string> Networks, IReadOnlyDictionary<string, int> Repeats) ParseNetworks(string list)
    {
        var repeats = new Dictionary<string, int>();
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).SelectMany(entry =>
        {
            var parts = entry.Split('*', 2, StringSplitOptions.TrimEntries);
            var times = 1;
            if (parts.Length == 2 && (!int.TryParse(parts[1], out times) || times < 1))
                throw new GptNasException($"'{entry}' repeats its networks '{parts[1]}' times; write a whole number of at least 1 after the *, e.g. small*10");
            IReadOnlyList<string> named = parts[0] switch
            {
                "reference" => ReferenceNetworks.Names,
                "small" => SmallNetworks.Names,
                var item when ArchitectureCatalog.Contains(item) => [item],
                var item => throw new GptNasException($"'{item}' is not a network; name reference, small or any of: {string.Join(", ", ArchitectureCatalog.Names)}"),
            };
            if (times > 1) foreach (var name in named) repeats[name] = times;
            return named;
        }).Distinct(StringComparer.Ordinal).ToArray();
        return names.Length > 0 ? (names, repeats) : throw new GptNasException("the list of networks is empty; name reference, small or networks by name");
    }

    /// <summary>Share of the sampled cells held out for evaluation (whole architectures: a cell is one line).</summary>
    public double HeldOutCells { get; init; } = 0.05;

    /// <summary>Whole reference networks held out for evaluation from each family that is large enough; 0 trains on all of them
    /// (the paper's prior: the held-out evaluation of networks is then empty).</summary>
    public int HeldOutPerFamily { get; init; } = 1;

    /// <summary>A family gives up networks for evaluation only when it has at least this many.
    /// NOTE: 3, so GoogLeNet (alone) and the two-member ResNeXt and Wide-ResNet families stay fully in training.</summary>
    public int MinFamilySize { get; init; } = 3;

    /// <summary>Shape of the GPT (§4: 4 layers, 4 heads, context 10, d_model 128).</summary>
    public GptConfig Gpt { get; init; } = GptConfig.Paper;

    /// <summary>Pre-training on the NAS-Bench-101 corpus; the seed is derived from <see cref="Seed"/>. NOTE: learning rate
    /// 1e-3, not §4's 1e-4, which leaves the GPT far from converged in the one or two epochs a CPU affords; and AdamW
    /// with nanoGPT's weight decay 0.1 instead of plain Adam, which keeps the logits from growing over-confident.</summary>
    public GptTrainingConfig PreTraining { get; init; } = new() { Epochs = 1, LearningRate = 1e-3, Optimizer = GptOptimizer.AdamW, WeightDecay = 0.1 };

    /// <summary>Fine-tuning on the reference CNNs, continuing from the pre-trained weights with a fresh optimizer.
    /// Held-out perplexity bottoms out near 10 epochs (the corpus is small; later epochs only sharpen the GPT).</summary>
    public GptTrainingConfig FineTuning { get; init; } = new() { Epochs = 10, LearningRate = 5e-4, Optimizer = GptOptimizer.AdamW, WeightDecay = 0.1 };

    /// <summary>NAS-Bench-101 training cells mixed into the fine-tuning corpus (a seeded sample). NOTE: not in the paper,
    /// which fine-tunes on the reference CNNs alone; without this replay the GPT forgets the cells it was pre-trained on.</summary>
    public int FineTuningReplayCells { get; init; } = 100;

    /// <summary>
    /// Also train (GPT, bigram and classifier alike) on a copy of each training network whose own tokens (met in no
    /// other training architecture) are replaced by their nearest known tokens, the vocabulary's fallback for unseen
    /// layers. NOTE: not in the paper; without it the GPT is sure of channel counts it has seen and wildly wrong on
    /// the unseen widths of new networks and search candidates (held-out perplexity far above the bigram's).
    /// </summary>
    public bool FallbackCopies { get; init; } = true;

    /// <summary>Training cells whose conv-BN-ReLU and max-pool layers the block classifier also learns from (a seeded sample):
    /// the reference networks alone never show it a block at a network's full resolution.</summary>
    public int ClassifierCells { get; init; } = 200;

    /// <summary>The block classifier; its context is always the GPT's (<see cref="PriorContext.Before"/>) and its seed is derived.</summary>
    public BlockClassifierConfig Classifier { get; init; } = new() { Epochs = 40 };

    /// <summary>Keep the GPT's Adam state in <c>gpt/</c> (twice the weights) so training can resume; off keeps a shipped prior small.</summary>
    public bool KeepOptimizerState { get; init; }

    /// <summary>
    /// The paper's prior (GPT-NAS §4): the 4-layer, 4-head GPT with context 10, Adam at 1e-4 without weight decay,
    /// 300 epochs of pre-training on every NAS-Bench-101 cell (those at 90% or more when an accuracy table is given)
    /// and 300 of fine-tuning on all 36 reference CNNs, none held out, no replay and no fallback copies.
    /// </summary>
    public static PriorTrainingConfig Paper { get; } = new()
    {
        Sample = null,
        Gpt = GptConfig.Paper,
        PreTraining = new() { Epochs = 300, LearningRate = 1e-4, Optimizer = GptOptimizer.Adam, WeightDecay = 0 },
        FineTuning = new() { Epochs = 300, LearningRate = 1e-4, Optimizer = GptOptimizer.Adam, WeightDecay = 0 },
        HeldOutPerFamily = 0,
        FineTuningReplayCells = 0,
        FallbackCopies = false,
    };

    /// <summary>The named configs: <c>cpu</c> (the defaults, sized for a 2-core CPU) and <c>paper</c>.</summary>
    public static PriorTrainingConfig Preset(string name) => name switch
    {
        "cpu" => new PriorTrainingConfig(),
        "paper" => Paper,
        _ => throw new GptNasException($"unknown prior preset '{name}'; choose cpu or paper"),
    };

    /// <summary>
    /// How this config departs from the paper's (<see cref="Paper"/>) in what shapes the GPT: its size, optimizer,
    /// learning rate, weight decay, its corpus of networks and those held out, and the budget (epochs and pre-training cells).
    /// </summary>
    public IReadOnlyList<string> PaperDeviations()
    {
        var paper = Paper;
        var deviations = new List<string>();
        if (Gpt.Layers != paper.Gpt.Layers || Gpt.Heads != paper.Gpt.Heads || Gpt.Context != paper.Gpt.Context)
            deviations.Add($"GPT {Gpt.Layers} layers x {Gpt.Heads} heads, context {Gpt.Context} (paper: {paper.Gpt.Layers} x {paper.Gpt.Heads}, {paper.Gpt.Context})");
        foreach (var (stage, mine, theirs) in new[] { ("pre-training", PreTraining, paper.PreTraining), ("fine-tuning", FineTuning, paper.FineTuning) })
            if (mine.Optimizer != theirs.Optimizer || mine.LearningRate != theirs.LearningRate || mine.WeightDecay != theirs.WeightDecay)
                deviations.Add($"{stage} {mine.Optimizer} at {mine.LearningRate:G3}, weight decay {mine.WeightDecay:G3} (paper: {theirs.Optimizer} at {theirs.LearningRate:G3}, none)");
        if (HeldOutPerFamily > 0) deviations.Add($"{HeldOutPerFamily} reference network(s) per family held out (paper: all 36 trained on)");
        if (!Networks.ToHashSet().SetEquals(paper.Networks))
            deviations.Add($"fine-tuning corpus of {Networks.Count} networks, {Networks.Count(n => !ReferenceNetworks.Contains(n))} of them not the paper's (paper: the 36 reference CNNs)");
        if (NetworkRepeats.Values.Where(times => times > 1).ToList() is { Count: > 0 } repeated)
            deviations.Add($"{repeated.Count} networks fine-tuned on {string.Join(" or ", repeated.Distinct().Order())} times an epoch (paper: each once)");
        if (PreTraining.Epochs != paper.PreTraining.Epochs || FineTuning.Epochs != paper.FineTuning.Epochs || Sample is not null)
            deviations.Add($"{PreTraining.Epochs} + {FineTuning.Epochs} epochs on {(Sample is { } cells ? $"{cells:N0} sampled" : "all")} NAS-Bench-101 cells " +
                           $"(paper: {paper.PreTraining.Epochs} + {paper.FineTuning.Epochs} on every cell)");
        return deviations;
    }

    /// <summary>The input as a shape.</summary>
    [JsonIgnore]
    public Shape InputShape => Shape.TryParse(Input, out var shape) ? shape
        : throw new GptNasException($"prior.input must be HxWxC, e.g. 32x32x3, got '{Input}'");

    /// <summary>Throws a <see cref="GptNasException"/> naming the first impossible setting.</summary>
    public PriorTrainingConfig Validate()
    {
        if (Sample is < 2) throw new GptNasException($"prior.sample is {Sample}; it must hold at least 2 cells (one to train on, one to hold out)");
        if (HeldOutCells is <= 0 or >= 1) throw new GptNasException($"prior.held_out_cells is {HeldOutCells}; it must be in (0, 1)");
        if (HeldOutPerFamily < 0) throw new GptNasException($"prior.held_out_per_family is {HeldOutPerFamily}; it must be 0 or more");
        if (MinFamilySize <= HeldOutPerFamily)
            throw new GptNasException($"prior.min_family_size is {MinFamilySize}; it must exceed prior.held_out_per_family ({HeldOutPerFamily}) so every family keeps a network in training");
        if (ClassifierCells < 0) throw new GptNasException($"prior.classifier_cells is {ClassifierCells}; it must be 0 or more");
        if (FineTuningReplayCells < 0) throw new GptNasException($"prior.fine_tuning_replay_cells is {FineTuningReplayCells}; it must be 0 or more");
        if (Classes < 1) throw new GptNasException($"prior.classes is {Classes}; it must be at least 1");
        if (Networks.Count == 0) throw new GptNasException("prior.networks is empty; name at least the networks of one family");
        foreach (var name in Networks)
            if (!ArchitectureCatalog.Contains(name)) throw new GptNasException($"prior.networks names '{name}', which is not a known network; known: {string.Join(", ", ArchitectureCatalog.Names)}");
        foreach (var (name, times) in NetworkRepeats)
            if (!Networks.Contains(name) || times < 1)
                throw new GptNasException($"prior.network_repeats gives '{name}' {times} times; it must name a network of prior.networks, at least once");
        _ = InputShape;
        Gpt.Validate();
        PreTraining.Validate();
        FineTuning.Validate();
        Classifier.Validate();
        return this;
    }

    /// <summary>
    /// This config with every component seed derived from <see cref="Seed"/> and the classifier reading the
    /// GPT's context: what the trainer runs and what <c>prior.json</c> records.
    /// </summary>
    public PriorTrainingConfig Resolved()
    {
        var seeds = new Seeds(Seed);
        return this with
        {
            PreTraining = PreTraining with { Seed = seeds.Derive("gpt/pretraining") },
            FineTuning = FineTuning with { Seed = seeds.Derive("gpt/finetuning") },
            Classifier = Classifier with { Seed = seeds.Derive("classifier"), Context = Gpt.Context },
        };
    }

    /// <summary>The seeds derived from <see cref="Seed"/>, by name, as <c>prior.json</c> lists them.</summary>
    public IReadOnlyDictionary<string, int> DerivedSeeds()
    {
        var seeds = new Seeds(Seed);
        return new[] { "corpus/sample", "split/cells", "split/networks", "replay", "gpt/init", "gpt/pretraining", "gpt/finetuning", "classifier" }
            .ToDictionary(name => name, seeds.Derive);
    }
}
