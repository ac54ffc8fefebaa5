using System.Diagnostics;
using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Data;
using GptNas.Networks;
using GptNas.Training;
using TorchSharp;

namespace GptNas.Bench;

/// <summary>
/// <c>--case data</c>: how fast the data pipeline (BatchSampler: crop with padding 2, flip, normalise) fills
/// batches, against how fast training consumes them; then training fed by the sampler against training on
/// fixed batches, alternated in one process.
/// </summary>
internal static class DataCase
{
    public static int Run(Options options)
    {
        TorchRuntime.SetThreads(options.Int("threads", 2));
        var steps = options.Int("steps", 15);
        var warmup = options.Int("warmup", 3);
        var pairs = options.Int("pairs", 2);
        Console.WriteLine($"data case: batch {BenchCase.BatchSize}, augmentation crop (padding 2) + flip, {Environment.ProcessorCount} cores, " +
                          $"{torch.get_num_threads()} torch threads, {steps} timed steps after {warmup}, {pairs} pairs");
        Console.WriteLine();
        Console.WriteLine("| input | sampler images/s | training images/s, fixed batches | training images/s, fed by the sampler | sampler share of a step |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var shape in new[] { new Shape(3, 32, 32), new Shape(1, 28, 28) })
        {
            var data = Synthetic(shape, BenchCase.BatchSize * (warmup + steps));
            var sampler = new BatchSampler(data, BenchCase.BatchSize, ChannelStats.Compute(data), new Augmentation(2, true), seed: 1, dropLast: true);
            var samplerRate = SamplerRate(sampler);
            var architecture = ArchitectureCatalog.Build("resnet8w", shape, BenchCase.Classes);
            var fixedRates = new List<double>();
            var fedRates = new List<double>();
            for (var pair = 0; pair < pairs; pair++)
            {
                fixedRates.Add(TrainRate(architecture, new FixedBatches(shape, BenchCase.Classes, BenchCase.BatchSize, warmup + steps), warmup, options));
                fedRates.Add(TrainRate(architecture, new SamplerBatchSource(sampler), warmup, options));
            }
            var fed = Stats.Median(fedRates);
            Console.WriteLine($"| {shape.Channels}x{shape.Height}x{shape.Width} | {samplerRate:N0} | {Stats.Median(fixedRates):N1} | {fed:N1} | {100 * fed / samplerRate:F1} % |");
        }
        return 0;
    }

    /// <summary>Random bytes as images, random labels: the sampler's cost does not depend on the content.</summary>
    private static ImageDataset Synthetic(Shape shape, int count)
    {
        var random = new Random(3);
        var pixels = new byte[count * shape.Channels * shape.Height * shape.Width];
        random.NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(_ => random.Next(BenchCase.Classes)).ToArray();
        var names = Enumerable.Range(0, BenchCase.Classes).Select(c => $"class{c}").ToArray();
        return new ImageDataset(pixels, labels, names, shape.Channels, shape.Height, shape.Width, "synthetic");
    }

    private static double SamplerRate(BatchSampler sampler)
    {
        var images = sampler.NewImageBuffer();
        var labels = sampler.NewLabelBuffer();
        for (var b = 0; b < sampler.BatchCount; b++) sampler.Fill(0, b, images, labels); // JIT and thread pool
        var clock = Stopwatch.StartNew();
        long count = 0;
        for (var epoch = 1; clock.Elapsed.TotalSeconds < 2; epoch++)
            for (var b = 0; b < sampler.BatchCount; b++) count += sampler.Fill(epoch, b, images, labels);
        return count / clock.Elapsed.TotalSeconds;
    }

    private static double TrainRate(Architecture architecture, IBatchSource source, int warmup, Options options)
    {
        using var network = NetworkBuilder.Build(architecture, new Seeds(0));
        var clock = new StepClock(warmup * BenchCase.BatchSize);
        new Trainer(GptNasSide.Config(options)).Fit(network, source, progress: clock);
        return clock.TimedImages / clock.Seconds;
    }
}
