using System.CommandLine;
using GptNas.Architectures;
using GptNas.Config;
using GptNas.Data;
using GptNas.Runs;
using GptNas.Training;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary>
/// <c>gptnas bench recipe</c>: one architecture trained under several recipes (arms) for several seeds, each seed's split
/// and initialization shared by every arm, so arms compare paired by seed: test top-1 (plain and with test-time
/// augmentation), wall time, and each arm against the first. Every training is a <c>gptnas train</c> run folder under
/// <c>--out</c>; a rerun reads finished ones back and resumes a killed one.
/// </summary>
public static class RecipeBenchCommand
{
    public static Command Create()
    {
        var arch = new Option<string>("--arch") { Description = "A name from 'gptnas arch list' or an architecture text file", DefaultValueFactory = _ => "resnet8" };
        var data = new Option<string>("--data") { Description = "Data set name or path", DefaultValueFactory = _ => "fashion-mnist-small" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training split, in every arm unless an arm sets epochs", DefaultValueFactory = _ => 15 };
        var seeds = new Option<int>("--seeds") { Description = "Seeds 0..N-1 per arm", DefaultValueFactory = _ => 3 };
        var validation = new Option<double>("--validation") { Description = "Share of the training split held out", DefaultValueFactory = _ => 0.1 };
        var arms = new Option<string[]>("--arm")
        {
            Description = "An arm as 'name: key=value ...' (repeatable; the first is the reference); default 'plain:' and 'fast: recipe=fast'",
        };
        var set = new Option<string[]>("--set") { Description = "A training setting for every arm, before the arm's own" };
        var output = new Option<string>("--out") { Description = "Folder for the run folders", DefaultValueFactory = _ => Path.Combine("runs", "bench-recipe") };
        var json = new Option<bool>("--json") { Description = "Print JSON (accuracies in %)" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)" };
        var command = new Command("recipe", "Train one architecture under several training recipes, paired by seed, and compare test accuracy and wall time")
        {
            arch, data, epochs, seeds, validation, arms, set, output, json, threads,
        };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            var count = parse.GetValue(seeds);
            if (count < 1) throw new UsageException($"--seeds must be at least 1, got {count}");
            var fraction = parse.GetValue(validation);
            if (fraction is not (>= 0 and < 1)) throw new UsageException($"--validation must be in [0, 1), got {fraction}");
            var common = ConfigOverrides.Apply(new TrainingConfig { Epochs = parse.GetValue(epochs) }, parse.GetValue(set) ?? []);
            var chosen = (parse.GetValue(arms) is { Length: > 0 } given ? given : ["plain:", "fast: recipe=fast"]).Select(text => Arm(text, common)).ToList();
            if (chosen.Select(a => a.Name).Distinct().Count() < chosen.Count) throw new UsageException("--arm: two arms have the same name");
            foreach (var (_, config) in chosen)
            {
                var check = new SettingsCheck();
                config.Validate(check, "");
                check.ThrowIfInvalid();
            }
            var (archName, dataName, root, asJson) = (parse.GetValue(arch)!, parse.GetValue(data)!, parse.GetValue(output)!, parse.GetValue(json));
            TorchRuntime.SetThreads(parse.GetValue(threads));
            if (chosen.All(a => a.Config.Bf16Autocast)) TorchRuntime.UncapOneDnnForBf16();
            var results = chosen.ToDictionary(a => a.Name, _ => new List<TrainedModel>());
            for (var seed = 0; seed < count; seed++)
            {
                var splits = DataCatalog.Load(dataName, new DataOptions { ValidationFraction = fraction, SplitSeed = seed });
                var architecture = ArchitectureSource.Resolve(archName, new Shape(splits.Train.Channels, splits.Train.Height, splits.Train.Width), splits.Train.ClassCount);
                foreach (var (name, armConfig) in chosen)
                {
                    var record = new TrainingRunConfig(archName, dataName, fraction, armConfig with { Seed = seed });
                    var folder = new RunFolder(Path.Combine(root, $"{name}-s{seed}"));
                    var result = Finished(folder, record) ?? TrainingRun.Run(folder, record, architecture, splits, TorchSharp.torch.CPU);
                    results[name].Add(result);
                    if (!asJson)
                        AnsiConsole.MarkupLine($"{Markup.Escape(name)}, seed {seed}: test top-1 {result.TestTop1:P2}" +
                                               (result.TestTop1Augmented is { } tta ? $", with test-time augmentation {tta:P2}" : "") + $"; {result.Seconds:F0} s");
                }
            }
            var reference = results[chosen[0].Name];
            // An arm's accuracies less the reference's top-1, seed by seed.
            Spread Paired(IEnumerable<double> accuracies) => Spread.Of(accuracies.Zip(reference, (r, b) => r - b.TestTop1));
            var rows = chosen.Select(a =>
            {
                var runs = results[a.Name];
                var top1 = Spread.Of(runs.Select(r => r.TestTop1));
                var difference = Paired(runs.Select(r => r.TestTop1));
                // With test-time augmentation, against the reference's plain top-1: what the arm's evaluation reports over
                // what the reference's does.
                var augmented = runs.All(r => r.TestTop1Augmented is not null) ? runs.Select(r => r.TestTop1Augmented!.Value).ToArray() : null;
                var augmentedDifference = augmented is null ? (Spread?)null : Paired(augmented);
                return new
                {
                    arm = a.Name, runs = runs.Count, top1_mean = top1.Mean * 100, top1_std = top1.Std * 100,
                    augmented_mean = augmented is null ? (double?)null : augmented.Average() * 100,
                    seconds_mean = runs.Average(r => r.Seconds), difference = difference.Mean * 100, standard_error = difference.StandardError * 100,
                    augmented_difference = augmentedDifference?.Mean * 100, augmented_standard_error = augmentedDifference?.StandardError * 100,
                    top1 = runs.Select(r => r.TestTop1 * 100).ToArray(), augmented = augmented?.Select(v => v * 100).ToArray(),
                    seconds = runs.Select(r => r.Seconds).ToArray(),
                };
            }).ToList();
            if (asJson)
            {
                Console.WriteLine(GptNasJson.Serialize(new { arch = archName, data = dataName, seeds = count, reference = chosen[0].Name, arms = rows }));
                return 0;
            }
            var table = new Table().AddColumns("arm", "test top-1, mean ± std", "with test-time aug.", $"minus {chosen[0].Name} (paired ± s.e.)",
                $"with test-time aug. minus {chosen[0].Name}", "s per run");
            foreach (var row in rows)
                table.AddRow(Markup.Escape(row.arm), $"{row.top1_mean:F2} ± {row.top1_std:F2} %", row.augmented_mean is { } a ? $"{a:F2} %" : "-",
                    row.arm == chosen[0].Name ? "-" : $"{row.difference:+0.00;-0.00} ± {row.standard_error:F2}",
                    row.augmented_difference is { } d ? $"{d:+0.00;-0.00} ± {row.augmented_standard_error:F2}" : "-", $"{row.seconds_mean:F0}");
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    /// <summary>'name: key=value ...' as the common settings with the arm's own on top.</summary>
    private static (string Name, TrainingConfig Config) Arm(string text, TrainingConfig common)
    {
        var colon = text.IndexOf(':');
        var name = (colon < 0 ? text : text[..colon]).Trim();
        if (name.Length == 0 || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_'))
            throw new UsageException($"--arm '{text}': give 'name: key=value ...' with a name of letters, digits, '-' or '_'");
        var settings = colon < 0 ? [] : text[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (name, ConfigOverrides.Apply(common, settings));
    }

    /// <summary>The folder's result when it holds a finished training of exactly this record; null when it must (still) train.</summary>
    private static TrainedModel? Finished(RunFolder folder, TrainingRunConfig record) =>
        File.Exists(folder.MetricsFile) && folder.ConfigDifferences(GptNasJson.Serialize(record)).Count == 0
            ? GptNasJson.Deserialize<TrainedModel>(File.ReadAllText(folder.MetricsFile), folder.MetricsFile)
            : null;
}
