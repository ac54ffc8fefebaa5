using GptNas.Spaces;
using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Gpt;
using GptNas.Prior;
using TorchSharp;
using Xunit.Abstractions;

namespace GptNas.Tests;

/// <summary>One tiny prior trained once and shared by the tests that only read it.</summary>
public sealed class TinyPriorFixture : IDisposable
{
    /// <summary>Cells of at most 4 vertices, three ResNets and two ShuffleNets, the tiny GPT, a few epochs: a few seconds on one core.</summary>
    public static readonly PriorTrainingConfig Config = new()
    {
        Seed = 7,
        Sample = 40,
        MaxVertices = 4,
        Networks = ["resnet18", "resnet34", "resnet50", "shufflenet_v2_x0_5", "shufflenet_v2_x1_0"],
        HeldOutCells = 0.1,
        Gpt = GptConfig.Tiny,
        PreTraining = new GptTrainingConfig { Epochs = 2, LearningRate = 3e-3 },
        FineTuning = new GptTrainingConfig { Epochs = 3, LearningRate = 3e-3 },
        FineTuningReplayCells = 5,
        Classifier = new BlockClassifierConfig { Epochs = 4, HiddenWidth = 32 },
    };

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"gptnas-prior-tests-{Guid.NewGuid():N}");
    public string Folder => Path.Combine(Root, "prior");
    public PriorManifest Manifest { get; }
    public double Seconds { get; }

    public TinyPriorFixture()
    {
        var threads = torch.get_num_threads();
        torch.set_num_threads(1); // see GptTests: one thread is fastest for models this small on a busy machine
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Manifest = PriorTrainer.Train(Config, Folder);
            Seconds = clock.Elapsed.TotalSeconds;
        }
        finally { torch.set_num_threads(threads); }
    }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}

/// <summary>
/// PriorTrainer end to end on a tiny configuration, the evaluation's reproducibility, and the shipped prior
/// in <c>priors/default</c> (a real check of the artefact: it must load and beat its baselines).
/// </summary>
[Collection(SeededTorchCollection.Name)]
public sealed class PriorTests : IClassFixture<TinyPriorFixture>, IDisposable
{
    private readonly TinyPriorFixture _tiny;
    private readonly ITestOutputHelper _output;
    private readonly int _threads = torch.get_num_threads();

    public PriorTests(TinyPriorFixture tiny, ITestOutputHelper output)
    {
        _tiny = tiny;
        _output = output;
        torch.set_num_threads(1);
    }

    public void Dispose() => torch.set_num_threads(_threads);

    [Fact]
    public void Prior_trainer_writes_a_loadable_prior_whose_predictor_picks_an_allowed_kind()
    {
        _output.WriteLine($"tiny prior trained in {_tiny.Seconds:F1} s");
        foreach (var entry in new[] { ArchitecturePrior.VocabularyFile, ArchitecturePrior.ManifestFile })
            Assert.True(File.Exists(Path.Combine(_tiny.Folder, entry)), entry);
        Assert.False(File.Exists(Path.Combine(_tiny.Folder, ArchitecturePrior.GptFolder, "optimizer.bin"))); // KeepOptimizerState is off

        using var prior = ArchitecturePrior.Load(_tiny.Folder);
        Assert.Equal(_tiny.Manifest.VocabularySha256, prior.Vocabulary.Hash);
        Assert.Equal(GptConfig.Tiny.Context, prior.Classifier.Config.Context); // the classifier reads the GPT's context

        var allowed = new HashSet<BlockKind> { BlockKind.BasicBlock, BlockKind.Bottleneck, BlockKind.MaxPool };
        var prefix = ArchitectureCatalog.Build("resnet18", new Shape(3, 32, 32), 10);
        var predictor = new GptBlockPredictor(prior, SamplingOptions.Default);
        var stageOne = Enumerable.Range(0, prior.Vocabulary.Count).Select(prior.Vocabulary.TokenAt)
            .OfType<LayerToken>().Where(t => t.Category == LayerCategory.Conv && t.Stage == 1).ToHashSet();
        var position = new BlockPosition(allowed, stageOne, 1, _ => allowed, _ => 4);
        for (var i = 0; i < 5; i++)
        {
            var prediction = predictor.Predict(prefix, position, new Random(i));
            Assert.Contains(prediction.Kind, allowed);
            Assert.Contains(prediction.Layers[0], stageOne); // the first layer is drawn only among those allowed
            Assert.InRange(prediction.Layers.Count, 1, 4);
            Assert.Equal(prediction.Counts.ContextTokens, prediction.Counts.ClassifierTokens - 1);
        }
    }

    [Fact]
    public void Prior_json_holds_the_split_and_finite_evaluations()
    {
        var manifest = PriorManifest.Read(_tiny.Folder);
        Assert.Equal(_tiny.Manifest.Evaluation, manifest.Evaluation);
        Assert.Equal(40, manifest.PreTrainingCorpus.Architectures);
        Assert.Equal(4, manifest.Split.HeldOutCells);
        Assert.Equal(36, manifest.Split.TrainCells);
        var heldOut = Assert.Single(manifest.Split.HeldOutNetworks); // only the ResNets form a family of 3
        Assert.StartsWith("resnet", heldOut);
        Assert.Equal(4, manifest.Split.TrainNetworks.Count);
        Assert.Equal(new Seeds(7).Derive("gpt/pretraining"), manifest.Config.PreTraining.Seed);
        foreach (var corpus in new[] { manifest.Evaluation.PreTraining, manifest.Evaluation.FineTuning })
        {
            Assert.True(corpus.Gpt.Positions > 0);
            Assert.Equal(corpus.Gpt.Positions, corpus.Bigram.Positions);
            Assert.True(double.IsFinite(corpus.Gpt.Perplexity) && double.IsFinite(corpus.Bigram.Perplexity));
        }
        Assert.True(manifest.Evaluation.Classifier.HeldOutExamples > 0);
        Assert.Equal(2, manifest.Training.PreTrainingLosses.Count);
        Assert.Equal(3, manifest.Training.FineTuningLosses.Count);
    }

    [Fact]
    public void Same_seed_gives_the_same_prior_json_numbers_and_eval_recomputes_them()
    {
        var again = PriorTrainer.Train(TinyPriorFixture.Config, Path.Combine(_tiny.Root, "again"));
        Assert.Equal(_tiny.Manifest.Evaluation, again.Evaluation);
        Assert.Equal(_tiny.Manifest.Training.PreTrainingLosses, again.Training.PreTrainingLosses);
        Assert.Equal(_tiny.Manifest.Training.ClassifierLosses, again.Training.ClassifierLosses);
        Assert.Equal(_tiny.Manifest.VocabularySha256, again.VocabularySha256);

        var (stored, recomputed) = PriorEvaluator.Recompute(_tiny.Folder);
        Assert.Empty(recomputed.Differences(stored.Evaluation, tolerance: 1e-9));
    }

    [Fact]
    public void Eval_refuses_a_prior_whose_corpus_cannot_be_rebuilt()
    {
        var copy = Path.Combine(_tiny.Root, "tampered");
        CopyFolder(_tiny.Folder, copy);
        var manifest = PriorManifest.Read(copy);
        (manifest with { PreTrainingCorpus = manifest.PreTrainingCorpus with { CorpusSha256 = new string('0', 64) } }).Write(copy);
        var error = Assert.Throws<GptNasException>(() => PriorEvaluator.Recompute(copy));
        Assert.Contains("pre-training corpus", error.Message);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("paper")]
    [InlineData("small")]
    [InlineData("small-weighted")]
    public void Shipped_prior_loads_and_beats_the_bigram_and_majority_baselines(string name)
    {
        var folder = ArchitecturePrior.Resolve(name);
        Assert.Equal(ArchitecturePrior.ShippedFolder(name), folder);
        using var prior = ArchitecturePrior.Load(folder);
        var manifest = PriorManifest.Read(folder);
        Assert.Equal(manifest.VocabularySha256, prior.Vocabulary.Hash);
        var e = manifest.Evaluation;
        _output.WriteLine($"cells {e.PreTraining}\nnetworks {e.FineTuning}\nclassifier {e.Classifier}");
        Assert.True(e.PreTraining.GptBeatsBigram, $"NAS-Bench-101 held-out: GPT {e.PreTraining.Gpt} vs bigram {e.PreTraining.Bigram}");
        Assert.True(e.FineTuning.GptBeatsBigram, $"reference CNNs held-out: GPT {e.FineTuning.Gpt} vs bigram {e.FineTuning.Bigram}");
        Assert.True(e.Classifier.Accuracy > e.Classifier.Majority, $"classifier {e.Classifier.Accuracy} vs majority {e.Classifier.Majority}");
        Assert.True(e.PreTraining.HeldOutArchitectures >= 100 && e.FineTuning.HeldOutArchitectures >= 3, "the shipped prior is evaluated on real held-out sets");

        var size = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.True(size < 10 << 20, $"the shipped prior takes {size:N0} bytes; keep it under 10 MB");
    }

    [Fact]
    public void The_papers_config_departs_from_nothing_and_the_shipped_priors_name_their_departures()
    {
        Assert.Empty(PriorTrainingConfig.Paper.PaperDeviations());
        var shipped = PriorManifest.Read(ArchitecturePrior.Resolve("paper")).Config.PaperDeviations();
        Assert.DoesNotContain(shipped, d => d.StartsWith("GPT ")); // the paper's shape
        Assert.Contains(shipped, d => d.StartsWith("3 + 20 epochs on 3,000 sampled NAS-Bench-101 cells"));
        Assert.Contains(PriorManifest.Read(ArchitecturePrior.Resolve("")).Config.PaperDeviations(), d => d.StartsWith("GPT 2 layers x 2 heads"));
        Assert.Contains(PriorManifest.Read(ArchitecturePrior.Resolve("small")).Config.PaperDeviations(),
            d => d.StartsWith("fine-tuning corpus of 44 networks, 8 of them not the paper's"));
        Assert.Contains(PriorManifest.Read(ArchitecturePrior.Resolve("small-weighted")).Config.PaperDeviations(),
            d => d.StartsWith("8 networks fine-tuned on 10 times an epoch"));
    }

    [Fact]
    public void A_network_list_names_networks_and_groups_and_the_small_ones_are_one_family()
    {
        var (both, once) = PriorTrainingConfig.ParseNetworks("reference, small,resnet20");
        Assert.Equal([.. ReferenceNetworks.Names, .. SmallNetworks.Names], both); // in the order given, each once
        Assert.Empty(once);
        Assert.Equal(["resnet8", "resnet18"], PriorTrainingConfig.ParseNetworks("resnet8,resnet18").Networks);
        var error = Assert.Throws<GptNasException>(() => PriorTrainingConfig.ParseNetworks("reference,resnet9"));
        Assert.Contains("'resnet9'", error.Message);
        Assert.Contains("resnet110", error.Message);
        Assert.Throws<GptNasException>(() => PriorTrainingConfig.ParseNetworks(" , "));
        var (weighted, repeats) = PriorTrainingConfig.ParseNetworks("reference,small*10,resnet18*2");
        Assert.Equal(both, weighted);
        Assert.Equal(SmallNetworks.Names.Append("resnet18").ToHashSet(), repeats.Keys.ToHashSet());
        Assert.Equal(10, repeats["resnet20"]);
        Assert.Equal(2, repeats["resnet18"]);
        Assert.Contains("small*0", Assert.Throws<GptNasException>(() => PriorTrainingConfig.ParseNetworks("small*0")).Message);
        Assert.Contains("'x'", Assert.Throws<GptNasException>(() => PriorTrainingConfig.ParseNetworks("small*x")).Message);
        var repeated = new PriorTrainingConfig { Networks = weighted, NetworkRepeats = repeats };
        Assert.Contains(repeated.Validate().PaperDeviations(), d => d == "9 networks fine-tuned on 2 or 10 times an epoch (paper: each once)");
        Assert.Contains("'resnet18'", Assert.Throws<GptNasException>(() =>
            (repeated with { Networks = SmallNetworks.Names }).Validate()).Message); // a repeat of a network not in the corpus
        Assert.Equal("small", PriorCorpora.Family("resnet20"));
        Assert.Equal("resnet", PriorCorpora.Family("resnet18"));
        var heldOut = PriorCorpora.HeldOutNetworks(new PriorTrainingConfig { Networks = both }, new Random(0));
        Assert.Single(heldOut, SmallNetworks.Contains); // one per family of 3 or more, the small networks included
        Assert.Null(Record.Exception(() => new PriorTrainingConfig { Networks = both }.Validate()));
    }

    [Fact]
    public void A_repeated_network_is_fine_tuned_on_as_often_as_asked_and_the_rest_once()
    {
        var config = TinyPriorFixture.Config with { NetworkRepeats = new Dictionary<string, int> { ["resnet34"] = 3 }, HeldOutPerFamily = 0 };
        var data = PriorCorpora.Build(config, Path.Combine(_tiny.Root, "repeats"));
        var plain = data.FineTuningSequences(TinyPriorFixture.Config);
        var repeated = data.FineTuningSequences(config);
        Assert.Equal(plain.Count + 2, repeated.Count);
        int Count(IReadOnlyList<int[]> sequences, string network)
        {
            var tokens = data.Networks.Train[data.TrainNetworks.ToList().IndexOf(network)];
            return sequences.Count(s => s.SequenceEqual(tokens));
        }
        Assert.Equal(Count(plain, "resnet34") + 2, Count(repeated, "resnet34"));
        Assert.Equal(Count(plain, "resnet18"), Count(repeated, "resnet18"));
        Assert.Equal(plain.TakeLast(TinyPriorFixture.Config.FineTuningReplayCells), repeated.TakeLast(TinyPriorFixture.Config.FineTuningReplayCells)); // the same replayed cells
    }

    [Fact]
    public void The_corpus_count_baseline_counts_the_networks_the_prior_was_fine_tuned_on()
    {
        var source = new PriorPredictorSource(new Config.PriorSettings { Path = _tiny.Folder, Counts = true });
        var counts = Assert.IsType<CorpusCountBlockPredictor>(source.Predictor(new Seeds(0)));
        var input = new Shape(3, 32, 32);
        int Blocks(IEnumerable<string> names) => names.Sum(n => ArchitectureCatalog.Build(n, input, 10).Blocks.Count);
        Assert.Equal(Blocks(_tiny.Manifest.Split.TrainNetworks), counts.Blocks.Values.Sum()); // the held-out network is not counted
        Assert.True(Blocks(TinyPriorFixture.Config.Networks) > counts.Blocks.Values.Sum());

        // A network fine-tuned on three times an epoch counts three times.
        var repeated = Path.Combine(_tiny.Root, "repeated");
        CopyFolder(_tiny.Folder, repeated);
        var network = _tiny.Manifest.Split.TrainNetworks[0];
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(repeated, ArchitecturePrior.ManifestFile)))!;
        manifest["config"]!["network_repeats"] = new System.Text.Json.Nodes.JsonObject { [network] = 3 };
        File.WriteAllText(Path.Combine(repeated, ArchitecturePrior.ManifestFile), manifest.ToJsonString());
        Assert.Equal(counts.Blocks.Values.Sum() + 2 * Blocks([network]), PriorPredictorSource.CorpusCounts(repeated).Blocks.Values.Sum());
    }

    [Fact]
    public void A_prior_path_names_a_folder_or_a_shipped_prior()
    {
        Assert.Equal(ArchitecturePrior.ShippedFolder("default"), ArchitecturePrior.Resolve(""));
        Assert.EndsWith(Path.Combine(ArchitecturePrior.ShippedRoot, "paper"), ArchitecturePrior.Resolve("paper"));
        Assert.Equal(_tiny.Folder, ArchitecturePrior.Resolve(_tiny.Folder));
        var missing = Path.Combine(_tiny.Root, "no-such-prior");
        Assert.Equal(missing, ArchitecturePrior.Resolve(missing)); // not a shipped name: Load then names the missing folder
        Assert.Contains("no prior in", Assert.Throws<GptNasException>(() => ArchitecturePrior.Load(missing)).Message);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
