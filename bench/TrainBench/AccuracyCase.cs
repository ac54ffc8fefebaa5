using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Data;
using GptNas.Networks;
using GptNas.Training;
using TorchSharp;

namespace GptNas.Bench;

/// <summary>
/// <c>--case accuracy</c>: the CLI's <c>train --arch resnet8 --data fashion-mnist-small --epochs 3</c> (same config,
/// split, seed and data path) with channels-last and bf16 autocast each off and on, to check that final test
/// accuracy holds before a layout or precision becomes a default.
/// </summary>
internal static class AccuracyCase
{
    public static int Run(Options options)
    {
        TorchRuntime.SetThreads(options.Int("threads", 2));
        var arch = options.Get("arch", "resnet8");
        var dataName = options.Get("data", DataCatalog.DefaultName);
        var epochs = options.Int("epochs", 3);
        var seeds = options.List("seeds", "0");
        var variants = new (string Name, bool ChannelsLast, bool BFloat16)[]
        {
            ("float32, contiguous", false, false), ("float32, channels-last", true, false),
            ("bf16 autocast, contiguous", false, true), ("bf16 autocast, channels-last", true, true),
        };
        Console.WriteLine($"accuracy: train --arch {arch} --data {dataName} --epochs {epochs} (the CLI's defaults otherwise), seeds {string.Join(", ", seeds)}");
        Console.WriteLine();
        Console.WriteLine("| seed | variant | test top-1 | test top-5 | test loss | final train loss | train images/s (mean of epochs) |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var seed in seeds.Select(int.Parse))
        {
            var splits = DataCatalog.Load(dataName, new DataOptions { ValidationFraction = 0.1, SplitSeed = seed, UseCache = false });
            var input = new Shape(splits.Train.Channels, splits.Train.Height, splits.Train.Width);
            var architecture = ArchitectureCatalog.Build(arch, input, splits.Train.ClassCount);
            foreach (var (name, channelsLast, bf16) in variants)
            {
                var config = new TrainingConfig { Epochs = epochs, Seed = seed, ChannelsLast = channelsLast, Bf16Autocast = bf16 };
                using var model = NetworkBuilder.Build(architecture, new Seeds(config.Seed));
                var batches = new DataBatches(splits, config);
                var result = new Trainer(config).Fit(model, batches.Train, batches.Validation, batches.Test);
                var test = result.Test!;
                Console.WriteLine($"| {seed} | {name} | {test.Top1:P2} | {test.Top5:P2} | {test.Loss:F4} | {result.Last.TrainLoss:F4} | " +
                                  $"{result.History.Average(h => h.ImagesPerSecond):F0} |");
            }
        }
        return 0;
    }
}
