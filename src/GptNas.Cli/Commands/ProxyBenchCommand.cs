using System.CommandLine;
using GptNas.Config;
using GptNas.Runs;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary>
/// <c>gptnas bench proxy</c>: how faithfully a search's proxy ranks architectures against the final recipe (Kendall's tau-b,
/// Spearman's rho, top-k overlap) and what each costs; <c>--bf16</c> adds bf16 autocast's proxy ranking against float32's.
/// </summary>
public static class ProxyBenchCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "The preset whose proxy and final recipe are measured", DefaultValueFactory = _ => "quick" };
        var data = new Option<string>("--data") { Description = "Data set name or path", DefaultValueFactory = _ => "fashion-mnist-small" };
        var seed = new Option<int>("--seed") { Description = "Root seed: the sampled architectures, the proxies' images, every training", DefaultValueFactory = _ => 0 };
        var count = new Option<int>("--architectures") { Description = "Architectures sampled from the space (and taken from --run)", DefaultValueFactory = _ => 20 };
        var run = new Option<string?>("--run") { Description = "A finished search's run folder: as many of its trials, spread over its fitness range, as a second set" };
        var storage = new Option<string?>("--storage") { Description = "The study store of --run, as its search was given it" };
        var set = new Option<string[]>("--set") { Description = "Change the proxy or the final recipe, e.g. --set proxy.training.epochs=1 --set final.epochs=5" };
        var finalImages = new Option<int>("--final-images") { Description = "Cap on the final recipe's training images (0: all), to make it affordable", DefaultValueFactory = _ => 0 };
        var bf16 = new Option<bool>("--bf16") { Description = "Also score every proxy under bf16 autocast and report its Kendall's tau against float32's" };
        var topK = new Option<int>("--top-k") { Description = "k of the top-k overlap", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON (architectures, kendall_tau, spearman_rho, proxy_seconds, final_seconds, sets, rows)" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)" };
        var command = new Command("proxy", "Rank correlation between a search's proxy fitness and the final training, and the cost of each")
        {
            preset, data, seed, count, run, storage, set, finalImages, bf16, topK, json, threads,
        };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            var architectures = parse.GetValue(count);
            if (architectures < 2) throw new UsageException($"--architectures must be at least 2 to rank them, got {architectures}");
            if (parse.GetValue(finalImages) < 0) throw new UsageException("--final-images must be 0 (all) or more");
            var search = ConfigOverrides.Apply(Presets.Get(parse.GetValue(preset)!), parse.GetValue(set) ?? []) with { Seed = parse.GetValue(seed) };
            var config = new ProxyBenchConfig
            {
                Search = search, Architectures = architectures, Run = parse.GetValue(run), Storage = parse.GetValue(storage),
                FinalMaxTrainImages = parse.GetValue(finalImages), Bf16 = parse.GetValue(bf16), TopK = parse.GetValue(topK),
            };
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var asJson = parse.GetValue(json);
            var outcome = new ProxyBench(config, parse.GetValue(data)!).Run(asJson ? null : line => AnsiConsole.MarkupLine(Markup.Escape(line)));
            if (asJson) Console.WriteLine(GptNasJson.Serialize(outcome));
            else Print(outcome);
            return 0;
        }));
        return command;
    }

    private static void Print(ProxyBenchOutcome outcome)
    {
        var bf16 = outcome.Bf16KendallTau is not null;
        var table = new Table().AddColumns("set", "architectures", "Kendall tau-b", "Spearman rho", "top-k overlap", "proxy s / arch.", "final s / arch.");
        if (bf16) table.AddColumns("tau bf16 vs fp32 proxy", "tau bf16 proxy vs final", "bf16 proxy s / arch.");
        foreach (var set in outcome.Sets.Append(ProxyAgreement.Of("all", outcome.Rows, outcome.TopK)))
        {
            string[] cells = [set.Set, set.Architectures.ToString(), set.KendallTau.ToString("F3"), set.SpearmanRho.ToString("F3"),
                $"{set.TopKOverlap:F2} (k={set.TopK})", set.ProxySeconds.ToString("F1"), set.FinalSeconds.ToString("F1")];
            table.AddRow(bf16 ? [.. cells, set.Bf16KendallTau?.ToString("F3") ?? "-", set.Bf16FinalKendallTau?.ToString("F3") ?? "-", set.Bf16Seconds?.ToString("F1") ?? "-"] : cells);
        }
        AnsiConsole.Write(table);
        var p = outcome.Proxy.Training;
        var f = outcome.Final;
        AnsiConsole.MarkupLine(Markup.Escape($"proxy: {p.Epochs} epochs, batch {p.BatchSize}, lr {p.LearningRate} {p.Schedule}, acceleration {outcome.Proxy.Acceleration}, " +
                                             $"at most {(outcome.Proxy.MaxTrainImages > 0 ? outcome.Proxy.MaxTrainImages.ToString("N0") : "all")} images; " +
                                             $"final: {f.Epochs} epochs, batch {f.BatchSize}, lr {f.LearningRate} {f.Schedule}, " +
                                             $"{(outcome.FinalMaxTrainImages > 0 ? $"at most {outcome.FinalMaxTrainImages:N0}" : "all")} training images, scored by test top-1"));
    }
}
