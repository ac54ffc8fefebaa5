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
        var (rate, medianRate, bestRate, seconds) = benchCase.IsGpt ? RunGpt(steps) : RunCnn(benchCase, steps, warmup, options);
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
            ["peak_rss_mb"] = Memory.PeakRssMb(),
            ["settings"] = Settings(options),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    private static (double Rate, double MedianStepRate, double BestStepRate, double Seconds) RunCnn(BenchCase benchCase, int steps, int warmup, Options options)
    {
        var architecture = ArchitectureCatalog.Build(benchCase.Network, benchCase.Input, BenchCase.Classes);
        using var network = NetworkBuilder.Build(architecture, new Seeds(0));
        var config = Config(options);
        var data = new FixedBatches(benchCase.Input, BenchCase.Classes, BenchCase.BatchSize, warmup + steps);
        var clock = new StepClock(warmup * BenchCase.BatchSize);
        new Trainer(config).Fit(network, data, progress: clock);
        return (clock.TimedImages / clock.Seconds, BenchCase.BatchSize / clock.MedianStepSeconds, BenchCase.BatchSize / clock.FastestStepSeconds, clock.Seconds);
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
    /// Two epochs of <c>steps</c> batches each: sequences of 10 random tokens each make exactly one full window of
    /// context 10, so one step is 128 windows x 10 tokens. Epoch 1 warms up, epoch 2 is timed.
    /// </summary>
    /// <remarks>GptTrainer reports whole epochs only, so the GPT has no per-step rates (all three are the timed
    /// epoch's) and its warm-up is one epoch: the GPT case gives both sides warm-up = steps.</remarks>
    private static (double Rate, double MedianStepRate, double BestStepRate, double Seconds) RunGpt(int steps)
    {
        var config = GptConfig.Paper;
        var random = new Random(1);
        var sequences = Enumerable.Range(0, steps * BenchCase.BatchSize)
            .Select(_ => Enumerable.Range(0, config.Context).Select(_ => random.Next(3, BenchCase.GptVocabulary)).ToArray()).ToArray();
        using var model = new GptModel(config, BenchCase.GptVocabulary, seed: 0);
        var training = new GptTrainingConfig
        {
            Epochs = 2, BatchSize = BenchCase.BatchSize, LearningRate = 1e-4, Optimizer = GptOptimizer.AdamW, WeightDecay = 0.01, GradientClip = 1.0,
        };
        using var trainer = new GptTrainer(model, training);
        var epochs = trainer.Fit(sequences);
        var timed = epochs[^1];
        return (timed.TokensPerSecond, timed.TokensPerSecond, timed.TokensPerSecond, timed.Seconds);
    }

    private static Dictionary<string, object> Settings(Options options)
    {
        var config = Config(options);
        var tunedMalloc = Environment.GetEnvironmentVariable("GPTNAS_DEFAULT_MALLOC") != "1";
        return new Dictionary<string, object>
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
    }
}
