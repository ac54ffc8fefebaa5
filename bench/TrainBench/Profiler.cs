using System.Diagnostics;
using GptNas.Corpora;
using GptNas.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GptNas.Bench;

/// <summary>
/// Where a training step's time goes: the trainer's step written out with a stopwatch around each phase
/// (libtorch runs CPU ops synchronously, so each phase's time is its own). <c>--case cnn32 --profile
/// [--channels-last on|off] [--bf16 on|off]</c>.
/// </summary>
internal static class Profiler
{
    private static readonly string[] Phases = ["to tensors", "forward", "loss + item", "zero_grad", "backward", "optimizer step", "accuracy", "scope dispose"];

    public static int Run(BenchCase benchCase, Options options)
    {
        TorchRuntime.SetThreads(options.Int("threads", 2));
        if (benchCase.IsGpt) return RunGpt(benchCase, options);
        var steps = options.Int("steps", benchCase.Steps);
        var warmup = options.Int("warmup", benchCase.Warmup);
        var channelsLast = options.Get("channels-last", "on") != "off"; // the trainer's default
        var bf16 = options.Get("bf16", "off") != "off";
        var architecture = ArchitectureCatalog.Build(benchCase.Network, benchCase.Input, BenchCase.Classes);
        using var model = NetworkBuilder.Build(architecture, new Seeds(0));
        if (channelsLast)
            using (no_grad())
                foreach (var weight in model.parameters().Where(p => p.dim() == 4))
                    weight.set_(weight.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)); // as the trainer lays them out
        var data = new FixedBatches(benchCase.Input, BenchCase.Classes, BenchCase.BatchSize, warmup + steps).Epoch(0).ToArray();
        using var optimizer = optim.SGD(model.parameters(), 0.01, 0.9, weight_decay: 5e-4, nesterov: true);
        using var lossFunction = nn.CrossEntropyLoss();
        model.train();
        var totals = new double[Phases.Length];
        var clock = new Stopwatch();
        var all = new Stopwatch();
        var shape = benchCase.Input;
        for (var step = 0; step < warmup + steps; step++)
        {
            if (step == warmup) { Array.Clear(totals); all.Restart(); }
            var batch = data[step];
            var times = new double[Phases.Length];
            void Mark(int phase) { times[phase] += clock.Elapsed.TotalMilliseconds; clock.Restart(); }
            clock.Restart();
            var scope = NewDisposeScope();
            var images = tensor(batch.Images, [batch.Count, shape.Channels, shape.Height, shape.Width]);
            var labels = tensor(batch.Labels, [batch.Count]);
            if (channelsLast) images = images.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
            Mark(0);
            var autocast = bf16 ? TorchRuntime.AutocastBFloat16() : null;
            var logits = model.forward(images);
            Mark(1);
            var loss = lossFunction.forward(logits, labels);
            autocast?.Dispose();
            _ = loss.to(float32).item<float>();
            Mark(2);
            optimizer.zero_grad();
            Mark(3);
            loss.backward();
            Mark(4);
            optimizer.step();
            Mark(5);
            _ = logits.argmax(1).eq(labels).sum().item<long>();
            Mark(6);
            scope.Dispose();
            Mark(7);
            for (var p = 0; p < Phases.Length; p++) totals[p] += times[p];
        }
        var seconds = all.Elapsed.TotalSeconds;
        Console.WriteLine($"{benchCase.Name} ({benchCase.Description}), {steps} steps after {warmup} warm-up, {torch.get_num_threads()} threads" +
                          (channelsLast ? ", channels-last" : ", contiguous") + (bf16 ? ", bf16 autocast" : "") + $"; OpenMP wait: {TorchRuntime.OpenMpWaiting}");
        Console.WriteLine($"{steps * BenchCase.BatchSize / seconds:F1} images/s, {1000 * seconds / steps:F1} ms per step, peak RSS {Memory.PeakRssMb():F0} MB");
        foreach (var (phase, i) in Phases.Select((p, i) => (p, i)))
            Console.WriteLine($"  {phase,-15} {totals[i] / steps,8:F2} ms  {100 * totals[i] / (1000 * seconds),5:F1} %");
        return 0;
    }

    private static readonly string[] GptPhases = ["to tensors", "forward", "loss", "zero_grad", "backward", "clip", "optimizer step", "loss.item", "dispose + GC"];

    /// <summary>GptTrainer's step written out with a stopwatch around each phase, on the bench's random windows.</summary>
    private static int RunGpt(BenchCase benchCase, Options options)
    {
        var steps = options.Int("steps", benchCase.Steps);
        var warmup = options.Int("warmup", benchCase.Warmup);
        var dropout = options.Double("dropout", GptNas.Gpt.GptConfig.Paper.Dropout);
        var config = GptNas.Gpt.GptConfig.Paper with { Dropout = dropout };
        const int vocabulary = BenchCase.GptVocabulary;
        var random = new Random(1);
        var batches = Enumerable.Range(0, 4).Select(_ => (
            Inputs: Enumerable.Range(0, BenchCase.BatchSize * config.Context).Select(_ => (long)random.Next(3, vocabulary)).ToArray(),
            Targets: Enumerable.Range(0, BenchCase.BatchSize * config.Context).Select(_ => (long)random.Next(3, vocabulary)).ToArray())).ToArray();
        using var model = new GptNas.Gpt.GptModel(config, vocabulary, seed: 0);
        var parameters = model.parameters().ToList();
        using var optimizer = optim.AdamW(parameters, 1e-4, weight_decay: 0.01);
        model.train();
        var totals = new double[GptPhases.Length];
        var clock = new Stopwatch();
        var all = new Stopwatch();
        for (var step = 0; step < warmup + steps; step++)
        {
            if (step == warmup) { Array.Clear(totals); all.Restart(); }
            var (inputs, targets) = batches[step % batches.Length];
            void Mark(int phase) { totals[phase] += clock.Elapsed.TotalMilliseconds; clock.Restart(); }
            clock.Restart();
            var scope = NewDisposeScope();
            var x = tensor(inputs, [BenchCase.BatchSize, config.Context]);
            var y = tensor(targets, [BenchCase.BatchSize * config.Context]);
            Mark(0);
            var logits = model.call(x);
            Mark(1);
            var loss = nn.functional.cross_entropy(logits.view(-1, vocabulary), y, ignore_index: -100);
            Mark(2);
            optimizer.zero_grad();
            Mark(3);
            loss.backward();
            Mark(4);
            nn.utils.clip_grad_norm_(parameters, 1.0);
            Mark(5);
            optimizer.step();
            Mark(6);
            _ = loss.item<float>();
            Mark(7);
            scope.Dispose();
            TorchRuntime.CollectStepGarbage(); // as GptTrainer does after each step
            Mark(8);
        }
        var seconds = all.Elapsed.TotalSeconds;
        Console.WriteLine($"gpt ({benchCase.Description}), dropout {dropout}, {steps} steps after {warmup} warm-up, {torch.get_num_threads()} threads; " +
                          $"OpenMP wait: {TorchRuntime.OpenMpWaiting}");
        Console.WriteLine($"{steps * BenchCase.BatchSize * config.Context / seconds:F0} tokens/s, {1000 * seconds / steps:F2} ms per step");
        foreach (var (phase, i) in GptPhases.Select((p, i) => (p, i)))
            Console.WriteLine($"  {phase,-15} {totals[i] / steps,8:F3} ms  {100 * totals[i] / (1000 * seconds),5:F1} %");
        return 0;
    }
}
