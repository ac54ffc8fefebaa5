using System.CommandLine;
using GptNas.Architectures;
using GptNas.Data;
using GptNas.Runs;
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

        var run = new RunFolder(folder);
        var record = new TrainingRunConfig(archName, dataName, dataOptions.ValidationFraction, config);
        if (new TrainingCheckpoint(run.CheckpointFile, "").EpochsDone() is > 0 and var done)
            AnsiConsole.MarkupLine($"resuming after epoch {done} from {Markup.Escape(run.CheckpointFile)}");
        var result = ProgressDisplay.Run(config.Epochs, splits.Train.Count, progress =>
            TrainingRun.Run(run, record, architecture, splits, device, progress));
        AnsiConsole.MarkupLine($"test top-1 [bold green]{result.TestTop1:P2}[/], top-5 {result.TestTop5:P2} on {result.TestImages} images; {result.Seconds:F0} s; wrote {Markup.Escape(folder)}");
        return 0;
    }

    private static int Positive(int value, string name) => value > 0 ? value : throw new UsageException($"{name} must be positive, got {value}");
    private static int NotNegative(int value, string name) => value >= 0 ? value : throw new UsageException($"{name} must be 0 or more, got {value}");

    private static ScheduleKind ParseSchedule(string text)
    {
        try { return LearningRateSchedule.ParseKind(text); }
        catch (ArgumentException e) { throw new UsageException($"--schedule: {e.Message}"); }
    }
}
