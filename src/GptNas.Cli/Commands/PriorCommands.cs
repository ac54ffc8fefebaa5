using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using GptNas.Corpora;
using GptNas.Corpora.NasBench101;
using GptNas.Gpt;
using GptNas.Prior;
using Spectre.Console;
using TorchSharp;

namespace GptNas.Cli.Commands;

/// <summary>
/// <c>gptnas prior corpus | train | eval | sample | enumerate</c>: the GPT-NAS prior (§4): its corpora, its
/// training, its scores on held-out architectures, what it generates, and the NAS-Bench-101 cell space.
/// </summary>
public static class PriorCommands
{
    public static Command Create()
    {
        var prior = new Command("prior", "Build, train, evaluate and sample the GPT prior (GPT + block classifier)");
        prior.Subcommands.Add(CreateCorpus());
        prior.Subcommands.Add(CreateTrain());
        prior.Subcommands.Add(CreateEval());
        prior.Subcommands.Add(CreateSample());
        prior.Subcommands.Add(CreateEnumerate());
        return prior;
    }

    /// <summary>The options that decide the corpora, shared by <c>corpus</c> and <c>train</c>.</summary>
    private sealed class CorpusOptions
    {
        public readonly Option<int?> Sample = new("--sample") { Description = "NAS-Bench-101 cells to sample uniformly for the pre-training corpus (default: the preset's; cpu 20,000)" };
        public readonly Option<bool> All = new("--all") { Description = "Use every NAS-Bench-101 cell (423,624, or those passing --accuracy-table) instead of a sample" };
        public readonly Option<string?> AccuracyTable = new("--accuracy-table") { Description = "CSV of NAS-Bench-101 validation accuracies (hash and accuracy columns); keeps cells at or above --min-accuracy" };
        public readonly Option<double> MinAccuracy = new("--min-accuracy") { Description = "Accuracy filter threshold in percent (the paper: 90)", DefaultValueFactory = _ => 90 };
        public readonly Option<string> Input = new("--input") { Description = "Input size HxWxC the corpora are written at (tokens are relative to it)", DefaultValueFactory = _ => "32x32x3" };
        public readonly Option<int> Seed = new("--seed") { Description = "Root seed: sample, held-out split, initialization, training", DefaultValueFactory = _ => 0 };
        public readonly Option<string?> Networks = new("--networks") { Description = "Networks of the fine-tuning corpus, comma-separated: names, reference (the 36 reference CNNs, the default) and small (the small-image networks); an item ending in *K (small*10) is fine-tuned on K times an epoch" };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Sample, All, AccuracyTable, MinAccuracy, Input, Seed, Networks }) command.Options.Add(option);
        }

        public PriorTrainingConfig Apply(ParseResult parse, PriorTrainingConfig config)
        {
            var sample = parse.GetValue(Sample) ?? config.Sample;
            if (!parse.GetValue(All) && sample < 2) throw new UsageException($"--sample must be at least 2, got {sample}");
            ArchitectureSource.ParseShape(parse.GetValue(Input)!);
            var (networks, repeats) = parse.GetValue(Networks) is { } list ? PriorTrainingConfig.ParseNetworks(list) : (config.Networks, config.NetworkRepeats);
            return config with
            {
                Sample = parse.GetValue(All) ? null : sample,
                AccuracyTable = parse.GetValue(AccuracyTable),
                MinAccuracy = parse.GetValue(MinAccuracy),
                Input = parse.GetValue(Input)!,
                Seed = parse.GetValue(Seed),
                Networks = networks,
                NetworkRepeats = repeats,
            };
        }
    }

    private static Command CreateCorpus()
    {
        var corpus = new CorpusOptions();
        var output = new Option<string>("--out") { Description = "Folder for pretrain.txt, finetune.txt (+ labels), their manifests and vocabulary.txt", Required = true };
        var command = new Command("corpus", "Write the pre-training (NAS-Bench-101) and fine-tuning (reference CNN) corpora with manifests") { output };
        corpus.AddTo(command);
        command.SetAction(parse => UserErrors.Run(() =>
        {
            var config = corpus.Apply(parse, new PriorTrainingConfig());
            var folder = parse.GetValue(output)!;
            var clock = Stopwatch.StartNew();
            var (pre, fine) = PriorCorpora.Write(config, folder, Log());
            var vocabulary = CorpusFile.VocabularyOf(Path.Combine(folder, PriorCorpora.PreTrainingFile), Path.Combine(folder, PriorCorpora.FineTuningFile));
            vocabulary.Save(Path.Combine(folder, ArchitecturePrior.VocabularyFile));
            var table = new Table().AddColumns("corpus", "architectures", "tokens", "distinct tokens", "sha256");
            foreach (var (file, m) in new[] { (PriorCorpora.PreTrainingFile, pre), (PriorCorpora.FineTuningFile, fine) })
                table.AddRow(file, m.Architectures.ToString("N0"), m.Tokens.ToString("N0"), m.DistinctTokens.ToString("N0"), m.CorpusSha256[..16] + "…");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"vocabulary over both: [bold]{vocabulary.Count}[/] ids (3 reserved), sha256 {vocabulary.Hash[..16]}…; written to {Markup.Escape(folder)} in {clock.Elapsed.TotalSeconds:F1} s");
            return 0;
        }));
        return command;
    }

    private static Command CreateTrain()
    {
        var corpus = new CorpusOptions();
        var output = new Option<string>("--out") { Description = "The prior folder to write (vocabulary.txt, gpt/, classifier/, prior.json)", Required = true };
        var priorPreset = new Option<string>("--preset") { Description = "cpu (sized for a 2-core CPU) or paper (GPT-NAS §4: Adam 1e-4, 300 + 300 epochs, all 36 networks); the options below override it", DefaultValueFactory = _ => "cpu" };
        var preset = new Option<string?>("--gpt") { Description = $"GPT shape: {string.Join(", ", GptConfig.PresetNames)} (default: the preset's)" };
        var preEpochs = new Option<int?>("--pretrain-epochs") { Description = "GPT epochs on the NAS-Bench-101 corpus" };
        var preLr = new Option<double?>("--pretrain-lr") { Description = "Learning rate of pre-training (§4: 1e-4)" };
        var fineEpochs = new Option<int?>("--finetune-epochs") { Description = "GPT epochs on the networks" };
        var fineLr = new Option<double?>("--finetune-lr") { Description = "Learning rate of fine-tuning" };
        var classifierEpochs = new Option<int?>("--classifier-epochs") { Description = "Block classifier epochs" };
        var replay = new Option<int?>("--replay") { Description = "NAS-Bench-101 training cells mixed into fine-tuning so the GPT keeps them (0: the paper's plain fine-tuning)" };
        var noCopies = new Option<bool>("--no-fallback-copies") { Description = "Do not add the copies of training networks read through the nearest-token fallback" };
        var dropout = new Option<double?>("--dropout") { Description = "GPT dropout (default: the GPT shape's)" };
        var optimizer = new Option<string?>("--optimizer") { Description = "adam (§4) or adamw, for both GPT stages" };
        var weightDecay = new Option<double?>("--weight-decay") { Description = "GPT weight decay in both stages (L2 for adam, decoupled for adamw)" };
        var heldOut = new Option<double?>("--held-out") { Description = "Share of the sampled cells held out for evaluation" };
        var heldOutNetworks = new Option<int?>("--held-out-networks") { Description = "Reference networks held out per family of 3 or more (0: train on all 36)" };
        var keepCorpora = new Option<string?>("--keep-corpora") { Description = "Keep the corpus files in this folder (default: a scratch folder, removed)" };
        var keepOptimizer = new Option<bool>("--keep-optimizer") { Description = "Also save the GPT's Adam state (triples gpt/)" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or auto", DefaultValueFactory = _ => "cpu" };
        var command = new Command("train", "Build the corpora, pre-train and fine-tune the GPT, train the block classifier, evaluate on held-out architectures")
        {
            output, priorPreset, preset, dropout, preEpochs, preLr, fineEpochs, fineLr, replay, noCopies, optimizer, weightDecay, classifierEpochs, heldOut,
            heldOutNetworks, keepCorpora, keepOptimizer, threads, device,
        };
        corpus.AddTo(command);
        command.SetAction(parse => UserErrors.Run(() =>
        {
            var basis = PriorTrainingConfig.Preset(parse.GetValue(priorPreset)!);
            var config = corpus.Apply(parse, basis);
            var gpt = parse.GetValue(preset) is { } shape ? GptConfig.Preset(shape) : config.Gpt;
            GptTrainingConfig Stage(GptTrainingConfig stage, int? epochs, double? lr) => stage with
            {
                Epochs = epochs ?? stage.Epochs, LearningRate = lr ?? stage.LearningRate,
                Optimizer = parse.GetValue(optimizer) is { } name ? ParseOptimizer(name) : stage.Optimizer,
                WeightDecay = parse.GetValue(weightDecay) ?? stage.WeightDecay,
            };
            config = config with
            {
                Gpt = parse.GetValue(dropout) is { } p ? gpt with { Dropout = p } : gpt,
                FineTuningReplayCells = parse.GetValue(replay) ?? config.FineTuningReplayCells,
                FallbackCopies = config.FallbackCopies && !parse.GetValue(noCopies),
                PreTraining = Stage(config.PreTraining, parse.GetValue(preEpochs), parse.GetValue(preLr)),
                FineTuning = Stage(config.FineTuning, parse.GetValue(fineEpochs), parse.GetValue(fineLr)),
                Classifier = config.Classifier with { Epochs = parse.GetValue(classifierEpochs) ?? config.Classifier.Epochs },
                HeldOutCells = parse.GetValue(heldOut) ?? config.HeldOutCells,
                HeldOutPerFamily = parse.GetValue(heldOutNetworks) ?? config.HeldOutPerFamily,
                KeepOptimizerState = parse.GetValue(keepOptimizer),
            };
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var manifest = PriorTrainer.Train(config, parse.GetValue(output)!, parse.GetValue(keepCorpora), TorchRuntime.Device(parse.GetValue(device)), Log());
            PrintEvaluation(manifest.Evaluation, manifest);
            return 0;
        }));
        return command;
    }

    private static GptOptimizer ParseOptimizer(string text) => text.ToLowerInvariant() switch
    {
        "adam" => GptOptimizer.Adam,
        "adamw" => GptOptimizer.AdamW,
        _ => throw new UsageException($"--optimizer must be adam or adamw, got '{text}'"),
    };

    private static Command CreateEval()
    {
        var folder = new Option<string?>("--prior") { Description = $"Prior folder, or a shipped prior's name: {string.Join(", ", ArchitecturePrior.ShippedNames)} (default: default)" };
        var json = new Option<bool>("--json") { Description = "Print JSON (recomputed and stored evaluation)" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)" };
        var command = new Command("eval", "Recompute the prior's scores on its held-out architectures (rebuilt from prior.json's seeds)") { folder, json, threads };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var path = ArchitecturePrior.Resolve(parse.GetValue(folder));
            var asJson = parse.GetValue(json);
            var (stored, recomputed) = PriorEvaluator.Recompute(path, asJson ? null : Log());
            var differences = recomputed.Differences(stored.Evaluation);
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { prior = path, recomputed, stored = stored.Evaluation, matches_stored = differences.Count == 0, differences }, GptNasJson.Options));
                return 0;
            }
            AnsiConsole.MarkupLine($"prior [bold]{Markup.Escape(path)}[/]");
            PrintEvaluation(recomputed, stored);
            AnsiConsole.MarkupLine(differences.Count == 0 ? "[green]matches the numbers in prior.json[/]"
                : $"[yellow]differs from prior.json[/] (another thread count or device changes the last digits): {Markup.Escape(string.Join("; ", differences))}");
            return 0;
        }));
        return command;
    }

    private static Command CreateSample()
    {
        var folder = new Option<string?>("--prior") { Description = $"Prior folder, or a shipped prior's name: {string.Join(", ", ArchitecturePrior.ShippedNames)} (default: default)" };
        var count = new Option<int>("--count") { Description = "Sequences to generate", DefaultValueFactory = _ => 3 };
        var length = new Option<int>("--max-length") { Description = "Stop a sequence after this many layers if no fc layer ended it", DefaultValueFactory = _ => 200 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature", DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { Description = "Sample among the k most probable tokens; 0 for all", DefaultValueFactory = _ => 10 };
        var greedy = new Option<bool>("--greedy") { Description = "Always take the most probable token" };
        var seed = new Option<int>("--seed") { Description = "Sampling seed", DefaultValueFactory = _ => 0 };
        var command = new Command("sample", "Generate layer sequences from <bos> with the prior's GPT and print them as layer tokens")
        {
            folder, count, length, temperature, topK, greedy, seed,
        };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            if (parse.GetValue(count) < 1) throw new UsageException($"--count must be at least 1, got {parse.GetValue(count)}");
            if (parse.GetValue(length) < 1) throw new UsageException($"--max-length must be at least 1, got {parse.GetValue(length)}");
            if (!parse.GetValue(greedy) && !(parse.GetValue(temperature) > 0)) throw new UsageException($"--temperature must be positive (or use --greedy), got {parse.GetValue(temperature)}");
            using var prior = ArchitecturePrior.Load(ArchitecturePrior.Resolve(parse.GetValue(folder)));
            var options = parse.GetValue(greedy) ? SamplingOptions.GreedyDecoding
                : new SamplingOptions { Temperature = parse.GetValue(temperature), TopK = Math.Max(0, parse.GetValue(topK)) };
            var sampler = new GptSampler(prior.Gpt, parse.GetValue(seed));
            for (var s = 1; s <= parse.GetValue(count); s++)
            {
                var layers = sampler.Generate(options, parse.GetValue(length), id => prior.Vocabulary.TokenAt(id)?.Category == Architectures.LayerCategory.Fc);
                AnsiConsole.MarkupLine($"[bold]sequence {s}[/]: {layers.Count} layers");
                foreach (var id in layers) Console.WriteLine($"  {prior.Vocabulary[id]}");
            }
            return 0;
        }));
        return command;
    }

    private static Command CreateEnumerate()
    {
        var vertices = new Option<int>("--max-vertices") { Description = "Largest cell, input and output included", DefaultValueFactory = _ => Cell.MaxVertices };
        var edges = new Option<int>("--max-edges") { Description = "Most edges per cell", DefaultValueFactory = _ => Cell.MaxEdges };
        var hashes = new Option<bool>("--hashes") { Description = "Also compute nasbench's hash of every cell and check they are distinct (slower)" };
        var threads = new Option<int?>("--threads") { Description = "Worker threads (default: all cores)" };
        var command = new Command("enumerate", "Enumerate the NAS-Bench-101 cell space (423,624 unique cells) and time it") { vertices, edges, hashes, threads };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            var space = CellEnumerator.Enumerate(parse.GetValue(vertices), parse.GetValue(edges), parse.GetValue(threads), parse.GetValue(hashes));
            var table = new Table().AddColumns("vertices", "unique cells");
            for (var v = 2; v < space.UniqueByVertices.Count; v++) table.AddRow(v.ToString(), space.UniqueByVertices[v].ToString("N0"));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"[bold]{space.Count:N0}[/] unique cells (up to {space.MaxVertices} vertices, {space.MaxEdges} edges) from {space.LabelledGraphs:N0} labelled graphs, " +
                                   $"{(space.HasHashes ? "hashes distinct, " : "")}in {space.Elapsed.TotalSeconds:F1} s");
            return 0;
        }));
        return command;
    }

    private static void PrintEvaluation(PriorEvaluation evaluation, PriorManifest manifest)
    {
        var table = new Table().AddColumns("held-out corpus", "architectures", "positions", "GPT top-1", "bigram top-1", "GPT perplexity", "bigram perplexity");
        foreach (var (name, e) in new[] { ("NAS-Bench-101 cells", evaluation.PreTraining), ("networks", evaluation.FineTuning) })
            table.AddRow(name, $"{e.HeldOutArchitectures:N0} (train {e.TrainArchitectures:N0})", e.Gpt.Positions.ToString("N0"),
                Best(e.Gpt.Accuracy.ToString("P2"), e.Gpt.Accuracy > e.Bigram.Accuracy), e.Bigram.Accuracy.ToString("P2"),
                Best(e.Gpt.Perplexity.ToString("F3"), e.Gpt.Perplexity < e.Bigram.Perplexity), e.Bigram.Perplexity.ToString("F3"));
        AnsiConsole.Write(table);
        var c = evaluation.Classifier;
        var classifier = new Table().AddColumns("block classifier", "held-out layers", "accuracy", "majority baseline");
        classifier.AddRow(Markup.Escape(manifest.Split.HeldOutNetworks.Count > 0 ? string.Join(", ", manifest.Split.HeldOutNetworks) : "no held-out network"), c.HeldOutExamples.ToString("N0"),
            Best(c.Accuracy.ToString("P2"), c.Accuracy > c.Majority), c.Majority.ToString("P2"));
        if (evaluation.SearchSpace is { } space)
            classifier.AddRow($"{space.Candidates} quick-space candidates (28x28x1, 32x32x3)", space.Classifier.HeldOutExamples.ToString("N0"),
                Best(space.Classifier.Accuracy.ToString("P2"), space.Classifier.Accuracy > space.Classifier.Majority), space.Classifier.Majority.ToString("P2"));
        AnsiConsole.Write(classifier);
        if (evaluation.SearchSpace is { } candidates)
            AnsiConsole.MarkupLine($"{candidates.ExactTokens:P2} of the search-space candidates' layer tokens are vocabulary tokens (the rest go through the nearest-token fallback)");
        AnsiConsole.MarkupLine($"vocabulary {manifest.VocabularySize} ids, sha256 {manifest.VocabularySha256[..16]}…; seed {manifest.Config.Seed}; " +
                               $"GPT {manifest.Config.Gpt.Layers} layers x {manifest.Config.Gpt.Width} wide; trained in {manifest.Training.Seconds.GetValueOrDefault("total") / 60:F1} min");
    }

    private static string Best(string text, bool best) => best ? $"[green]{text}[/]" : text;

    /// <summary>Training log lines, time-stamped, in order.</summary>
    private static IProgress<string> Log()
    {
        var clock = Stopwatch.StartNew();
        return new SyncProgress<string>(line => AnsiConsole.MarkupLine($"[grey]{clock.Elapsed:mm\\:ss}[/] {Markup.Escape(line)}"));
    }
}
