using System.CommandLine;
using System.Text.Json;
using GptNas.Architectures;
using GptNas.Data;
using GptNas.Networks;
using GptNas.Training;
using Spectre.Console;
using TorchSharp;

namespace GptNas.Cli.Commands;

/// <summary><c>gptnas train</c>: trains one architecture on one data set, with live progress, and writes
/// the architecture, config, metrics and weights to an output folder.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var arch = new Option<string>("--arch") { Description = "A name from 'gptnas arch list' or an architecture text file", DefaultValueFactory = _ => "resnet8" };
        var data = new Option<string>("--data") { Description = "fashion-mnist-small (embedded), fashion-mnist, mnist, cifar10, cifar100, or a path", DefaultValueFactory = _ => "fashion-mnist-small" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training split", DefaultValueFactory = _ => 5 };
        var batch = new Option<int>("--batch-size") { Description = "Images per step", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Peak SGD learning rate", DefaultValueFactory = _ => 0.05 };
        var schedule = new Option<string>("--schedule") { Description = "constant, step or cosine", DefaultValueFactory = _ => "cosine" };
        var warmup = new Option<double>("--warmup") { Description = "Linear warm-up in epochs", DefaultValueFactory = _ => 0.5 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "L2 weight decay", DefaultValueFactory = _ => 5e-4 };
        var validation = new Option<double>("--validation") { Description = "Share of the training split held out for validation", DefaultValueFactory = _ => 0.1 };
        var cropPadding = new Option<int>("--crop-padding") { Description = "Augmentation: random crop after padding by this many pixels; 0 = no crop", DefaultValueFactory = _ => 2 };
        var noFlip = new Option<bool>("--no-flip") { Description = "Augmentation: no random horizontal flip" };
        var seed = new Option<int>("--seed") { Description = "Root seed: initialization, split, shuffling, augmentation", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "Output folder (default runs/train-<arch>-<time>)" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or auto", DefaultValueFactory = _ => "auto" };
        var command = new Command("train", "Train one architecture and report its test accuracy")
        {
            arch, data, epochs, batch, lr, schedule, warmup, weightDecay, validation, cropPadding, noFlip, seed, output, threads, device,
        };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            var config = new TrainingConfig
            {
                Epochs = Positive(parse.GetValue(epochs), "--epochs"),
                BatchSize = Positive(parse.GetValue(batch), "--batch-size"),
                LearningRate = parse.GetValue(lr),
                Schedule = ParseSchedule(parse.GetValue(schedule)!),
                WarmupEpochs = parse.GetValue(warmup),
                WeightDecay = parse.GetValue(weightDecay),
                CropPadding = NotNegative(parse.GetValue(cropPadding), "--crop-padding"),
                Flip = !parse.GetValue(noFlip),
                Seed = parse.GetValue(seed),
            };
            var archName = parse.GetValue(arch)!;
            var folder = parse.GetValue(output) ?? Path.Combine("runs", $"train-{ArchitectureSource.DisplayName(archName)}-{DateTime.Now:yyyyMMdd-HHmmss}");
            var dataOptions = new DataOptions { ValidationFraction = parse.GetValue(validation), SplitSeed = config.Seed };
            return Run(archName, parse.GetValue(data)!, dataOptions, config, folder, parse.GetValue(threads), parse.GetValue(device)!);
        }));
        return command;
    }

    private static int Run(string archName, string dataName, DataOptions dataOptions, TrainingConfig config, string folder, int? threads, string deviceName)
    {
        if (dataOptions.ValidationFraction is < 0 or >= 1) throw new UsageException($"--validation must be in [0, 1), got {dataOptions.ValidationFraction}");
        TorchRuntime.SetThreads(threads);
        var device = TorchRuntime.Device(deviceName);
        var splits = AnsiConsole.Status().Start($"Loading {dataName}", _ =>
            DataCatalog.Load(dataName, dataOptions));
        var input = new Shape(splits.Train.Channels, splits.Train.Height, splits.Train.Width);
        var architecture = ArchitectureSource.Resolve(archName, input, splits.Train.ClassCount);
        AnsiConsole.MarkupLine($"data [bold]{Markup.Escape(dataName)}[/]: {Markup.Escape(splits.ToString())}");
        AnsiConsole.MarkupLine($"arch [bold]{Markup.Escape(archName)}[/]: {architecture.Parameters:N0} parameters, {architecture.Flops / 1e6:F1} MFLOPs, hash {architecture.Hash}; device {device}, {torch.get_num_threads()} threads");

        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "architecture.txt"), architecture.Canonical);
        WriteJson(Path.Combine(folder, "config.json"), new { arch = archName, data = dataName, validation = dataOptions.ValidationFraction, config });

        using var model = NetworkBuilder.Build(architecture, new Seeds(config.Seed));
        var batches = new DataBatches(splits, config);
        var trainer = new Trainer(config, device);
        var result = ProgressDisplay.Run(config.Epochs, splits.Train.Count, progress =>
            trainer.Fit(model, batches.Train, batches.Validation, batches.Test, progress: progress,
                onEpochEnd: (_, _) => Checkpoint.SaveWeights(model, Path.Combine(folder, "checkpoint.bin"))));
        Checkpoint.SaveWeights(model, Path.Combine(folder, "model.bin"));
        File.Delete(Path.Combine(folder, "checkpoint.bin"));

        var test = result.Test!;
        WriteJson(Path.Combine(folder, "metrics.json"), new
        {
            arch = archName,
            hash = architecture.Hash,
            parameters = architecture.Parameters,
            flops = architecture.Flops,
            test_top1 = test.Top1,
            test_top5 = test.Top5,
            test_loss = test.Loss,
            seconds = result.Seconds,
            train_images_per_second = result.History.Average(h => h.ImagesPerSecond),
            history = result.History,
        });
        AnsiConsole.MarkupLine($"test top-1 [bold green]{test.Top1:P2}[/], top-5 {test.Top5:P2} on {test.Images} images; {result.Seconds:F0} s; wrote {Markup.Escape(folder)}");
        return 0;
    }

    private static int Positive(int value, string name) => value > 0 ? value : throw new UsageException($"{name} must be positive, got {value}");
    private static int NotNegative(int value, string name) => value >= 0 ? value : throw new UsageException($"{name} must be 0 or more, got {value}");

    private static ScheduleKind ParseSchedule(string text)
    {
        try { return LearningRateSchedule.ParseKind(text); }
        catch (ArgumentException e) { throw new UsageException($"--schedule: {e.Message}"); }
    }

    internal static void WriteJson(string path, object value) =>
        File.WriteAllText(path, JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
}
