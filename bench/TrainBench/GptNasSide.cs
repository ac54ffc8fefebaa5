using System.Diagnostics;
using System.Text.Json;
using GptNas.Corpora;
using GptNas.Gpt;
using GptNas.Networks;
using GptNas.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GptNas.Bench;

/// <summary>
/// gptnas's side of one run, in its own process: the network from <see cref="NetworkBuilder"/> trained by
/// gptnas's <see cref="Trainer"/> (CNNs) or <see cref="GptTrainer"/> (GPT) on fixed in-memory data. Prints one
/// JSON line in the peer's format.
/// </summary>
internal static class GptNasSide
{
    public static int Run(BenchCase benchCase, Options options)
    {
        var threads = options.Int("threads", 2);
        TorchRuntime.SetThreads(threads);
        var steps = options.Int("steps", benchCase.Steps);
        var warmup = options.Int("warmup", benchCase.Warmup);
        var (rate, medianRate, bestRate, seconds, baseline) = benchCase.IsGpt ? RunGpt(steps, warmup, options) : RunCnn(benchCase, steps, warmup, options);
        var result = new Dictionary<string, object>
        {
            ["rate"] = rate,
            ["median_step_rate"] = medianRate,
            ["best_step_rate"] = bestRate,
            ["unit"] = benchCase.Unit,
            ["seconds"] = seconds,
            ["side"] = "gptnas",
            ["case"] = benchCase.Name,
            ["steps"] = steps,
            ["warmup"] = warmup,
            ["baseline_rss_mb"] = baseline,
            ["peak_rss_mb"] = Memory.PeakRssMb(),
            ["settings"] = Settings(benchCase, options),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    private static (double Rate, double MedianStepRate, double BestStepRate, double Seconds, double BaselineRssMb) RunCnn(
        BenchCase benchCase, int steps, int warmup, Options options)
    {
        var architecture = ArchitectureCatalog.Build(benchCase.Network, benchCase.Input, BenchCase.Classes);
        using var network = NetworkBuilder.Build(architecture, new Seeds(0));
        var config = Config(options);
        var data = new FixedBatches(benchCase.Input, BenchCase.Classes, BenchCase.BatchSize, warmup + steps);
        var clock = new StepClock(warmup * BenchCase.BatchSize);
        var baseline = Memory.Baseline();
        new Trainer(config).Fit(network, data, progress: clock);
        return (clock.TimedImages / clock.Seconds, BenchCase.BatchSize / clock.MedianStepSeconds, BenchCase.BatchSize / clock.FastestStepSeconds, clock.Seconds, baseline);
    }

    /// <summary>The training settings both sides use: SGD 0.01 constant, momentum 0.9 nesterov, weight decay 5e-4.</summary>
    public static TrainingConfig Config(Options options) => new()
    {
        Epochs = 1,
        BatchSize = BenchCase.BatchSize,
        LearningRate = 0.01,
        Schedule = ScheduleKind.Constant,
        WarmupEpochs = 0,
        Momentum = 0.9,
        Nesterov = true,
        WeightDecay = 5e-4,
        ChannelsLast = Switch(options, "channels-last", new TrainingConfig().ChannelsLast),
        Bf16Autocast = Switch(options, "bf16", new TrainingConfig().Bf16Autocast),
    };

    /// <summary>"--channels-last" or "--channels-last on/off"; the config's default when absent.</summary>
    private static bool Switch(Options options, string name, bool fallback) =>
        !options.Has(name) ? fallback : options.Get(name) is null or "on" or "true" or "1";

    /// <summary>
    /// GptTrainer times whole epochs, so the GPT's steps are timed in chunks of <see cref="BenchCase.GptChunk"/>: one epoch
    /// is that many batches of 128 random windows of 10 tokens, the warm-up epochs come first, and the median, fastest and
    /// mean are over the timed epochs (the peer times the same chunks).
    /// </summary>
    private static (double Rate, double MedianStepRate, double BestStepRate, double Seconds, double BaselineRssMb) RunGpt(int steps, int warmup, Options options)
    {
        var config = GptConfig.Paper with { Dropout = options.Double("dropout", GptConfig.Paper.Dropout) };
        var random = new Random(1);
        var sequences = Enumerable.Range(0, BenchCase.GptChunk * BenchCase.BatchSize)
            .Select(_ => Enumerable.Range(0, config.Context).Select(_ => random.Next(3, BenchCase.GptVocabulary)).ToArray()).ToArray();
        using var model = new GptModel(config, BenchCase.GptVocabulary, seed: 0);
        var warmupEpochs = warmup / BenchCase.GptChunk;
        var training = new GptTrainingConfig
        {
            Epochs = warmupEpochs + steps / BenchCase.GptChunk, BatchSize = BenchCase.BatchSize, LearningRate = 1e-4,
            Optimizer = GptOptimizer.AdamW, WeightDecay = 0.01, GradientClip = 1.0,
        };
        using var trainer = new GptTrainer(model, training);
        var baseline = Memory.Baseline();
        var timed = trainer.Fit(sequences).Skip(warmupEpochs).ToList();
        var seconds = timed.Sum(e => e.Seconds);
        return (timed.Sum(e => e.Tokens) / seconds, Stats.Median(timed.Select(e => e.TokensPerSecond).ToList()), timed.Max(e => e.TokensPerSecond), seconds, baseline);
    }

    private static Dictionary<string, object> Settings(BenchCase benchCase, Options options)
    {
        var config = Config(options);
        var tunedMalloc = Environment.GetEnvironmentVariable("GPTNAS_DEFAULT_MALLOC") != "1";
        var settings = new Dictionary<string, object>
        {
            ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "?",
            ["libtorch"] = "2.10.0 (cpu)",
            [".net"] = Environment.Version.ToString(),
            ["threads"] = torch.get_num_threads(),
            ["blas"] = "MKL (linked into libtorch_cpu), oneDNN for convolutions",
            ["allocator"] = tunedMalloc ? "glibc malloc, mallopt mmap_threshold 32 MiB + trim_threshold max (TorchRuntime)" : "glibc malloc, default thresholds",
            ["omp_wait"] = TorchRuntime.OpenMpWaiting,
            ["onednn_isa"] = TorchRuntime.OneDnnIsa,
            ["memory_format"] = config.ChannelsLast ? "channels_last" : "contiguous",
            ["bf16_autocast"] = config.Bf16Autocast,
        };
        if (benchCase.IsGpt) settings["gpt_dropout"] = options.Double("dropout", GptConfig.Paper.Dropout);
        return settings;
    }
}
