using System.CommandLine;
using GptNas.Architectures;
using GptNas.Config;
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
        var schedule = new Option<string>("--schedule") { Description = "constant, step, cosine or linear", DefaultValueFactory = _ => "cosine" };
        var warmup = new Option<double>("--warmup") { Description = "Linear warm-up in epochs", DefaultValueFactory = _ => 0.5 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "L2 weight decay", DefaultValueFactory = _ => 5e-4 };
        var validation = new Option<double>("--validation") { Description = "Share of the training split held out for validation", DefaultValueFactory = _ => 0.1 };
        var cropPadding = new Option<int>("--crop-padding") { Description = "Augmentation: random crop after padding by this many pixels; 0 = no crop", DefaultValueFactory = _ => 2 };
        var noFlip = new Option<bool>("--no-flip") { Description = "Augmentation: no random horizontal flip" };
        var seed = new Option<int>("--seed") { Description = "Root seed: initialization, split, shuffling, augmentation", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "Output folder (default runs/train-<arch>-<time>)" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)" };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto", DefaultValueFactory = _ => "auto" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace a training with other settings that --out already holds" };
        var set = new Option<string[]>("--set")
        {
            Description = "Any other training setting as key=value, e.g. --set label_smoothing=0.2 --set test_time_flip=true --set alternating_flip=true",
        };
        var command = new Command("train", "Train one architecture and report its test accuracy")
        {
            arch, data, epochs, batch, lr, schedule, warmup, weightDecay, validation, cropPadding, noFlip, seed, set, output, threads, device, overwrite,
        };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            var config = new TrainingConfig
            {
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr),
                Schedule = ParseSchedule(parse.GetValue(schedule)!),
                WarmupEpochs = parse.GetValue(warmup),
                WeightDecay = parse.GetValue(weightDecay),
                CropPadding = parse.GetValue(cropPadding),
                Flip = !parse.GetValue(noFlip),
                Seed = parse.GetValue(seed),
            };
            config = ConfigOverrides.Apply(config, parse.GetValue(set) ?? []);
            var archName = parse.GetValue(arch)!;
            var folder = parse.GetValue(output) ?? Path.Combine("runs", $"train-{ArchitectureSource.DisplayName(archName)}-{DateTime.Now:yyyyMMdd-HHmmss}");
            var dataOptions = new DataOptions { ValidationFraction = parse.GetValue(validation), SplitSeed = config.Seed };
            return Run(archName, parse.GetValue(data)!, dataOptions, config, new RunFolder(folder), parse.GetValue(threads), parse.GetValue(device)!, parse.GetValue(overwrite));
        }));
        return command;
    }

    /// <summary>The options that set each <see cref="TrainingConfig"/> key, so its checks name what the user typed.</summary>
    private static readonly Dictionary<string, string> Options = new()
    {
        ["epochs"] = "--epochs", ["batch_size"] = "--batch-size", ["learning_rate"] = "--lr", ["warmup_epochs"] = "--warmup",
        ["weight_decay"] = "--weight-decay", ["crop_padding"] = "--crop-padding",
    };

    private static int Run(string archName, string dataName, DataOptions dataOptions, TrainingConfig config, RunFolder folder, int? threads, string deviceName,
        bool overwrite)
    {
        if (dataOptions.ValidationFraction is not (>= 0 and < 1)) throw new UsageException($"--validation must be in [0, 1), got {dataOptions.ValidationFraction}");
        var record = new TrainingRunConfig(archName, dataName, dataOptions.ValidationFraction, config);
        var warnings = TrainingRun.Check(folder, record, overwrite, key => Options.GetValueOrDefault(key));
        TorchRuntime.SetThreads(threads);
        if (config.Bf16Autocast) TorchRuntime.UncapOneDnnForBf16();
        var device = TorchRuntime.Device(deviceName);
        var splits = AnsiConsole.Status().Start($"Loading {dataName}", _ =>
            DataCatalog.Load(dataName, dataOptions));
        var input = new Shape(splits.Train.Channels, splits.Train.Height, splits.Train.Width);
        var architecture = ArchitectureSource.Resolve(archName, input, splits.Train.ClassCount);
        AnsiConsole.MarkupLine($"data [bold]{Markup.Escape(dataName)}[/]: {Markup.Escape(splits.ToString())}");
        AnsiConsole.MarkupLine($"arch [bold]{Markup.Escape(archName)}[/]: {architecture.Parameters:N0} parameters, {architecture.Flops / 1e6:F1} MFLOPs, hash {architecture.Hash}; device {device}, {torch.get_num_threads()} threads{(config.Bf16Autocast ? $", bf16 autocast, {Markup.Escape(TorchRuntime.OneDnnIsa)}" : "")}");
        var check = new Config.SettingsCheck { Rename = key => Options.GetValueOrDefault(key) };
        config.Validate(check, "", input);
        foreach (var warning in warnings.Concat(check.Warnings)) AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
        if (new TrainingCheckpoint(folder.CheckpointFile, "").EpochsDone() is > 0 and var done)
            AnsiConsole.MarkupLine($"resuming after epoch {done} from {Markup.Escape(folder.CheckpointFile)}");

        var result = ProgressDisplay.Run(config.Epochs, splits.Train.Count, progress =>
            TrainingRun.Run(folder, record, architecture, splits, device, progress, overwrite: overwrite));
        AnsiConsole.MarkupLine($"test top-1 [bold green]{result.TestTop1:P2}[/]{Top5(result, architecture.Classes)} on {result.TestImages} images; {result.Seconds:F0} s; wrote {Markup.Escape(folder.Path)}");
        return 0;
    }

    /// <summary>What follows the plain test top-1: top-5 where it says something (with 5 classes or fewer it is always 100 %), and top-1
    /// with test-time augmentation where it ran.</summary>
    public static string Top5(TrainedModel result, int classes) =>
        (classes > 5 ? $", top-5 {result.TestTop5:P2}" : "") + (result.TestTop1Augmented is { } augmented ? $", top-1 with test-time augmentation {augmented:P2}" : "");

    private static ScheduleKind ParseSchedule(string text)
    {
        try { return LearningRateSchedule.ParseKind(text); }
        catch (ArgumentException e) { throw new UsageException($"--schedule: {e.Message}"); }
    }
}
