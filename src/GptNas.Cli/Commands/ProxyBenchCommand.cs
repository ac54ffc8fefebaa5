using System.CommandLine;
using GptNas.Config;
using GptNas.Runs;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary>
/// <c>gptnas bench proxy</c>: how faithfully a search's proxy ranks architectures against the final recipe (Kendall's tau-b,
/// Spearman's rho, top-k overlap) and what each costs; every <c>--variant</c> is another proxy scored on the same architectures
/// and ranked against the same final scores (<c>--bf16</c>: the search's proxy under bf16 autocast).
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
        var variants = new Option<string[]>("--variant")
        {
            Description = "Another proxy to rank beside the preset's, as 'name: key=value ...' on proxy.* (e.g. \"full1: acceleration=full training.epochs=1\"); repeatable",
        };
        var bf16 = new Option<bool>("--bf16") { Description = "Also score the proxy under bf16 autocast (the variant 'bf16') and report its Kendall's tau against float32's" };
        var against = new Option<string>("--against")
        {
            Description = "final: rank the proxies against the final recipe; retest: against the proxy retrained from other seeds (its noise ceiling, no final training)",
            DefaultValueFactory = _ => "final",
        };
        var topK = new Option<int>("--top-k") { Description = "k of the top-k overlap", DefaultValueFactory = _ => 3 };
        var rowsFile = new Option<string?>("--rows")
        {
            Description = "Keep every architecture's scores in this JSON-lines file as they finish; the same command again reuses them (resume after a crash); runs at once may share it and split its architectures, each scored once",
        };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON (architectures, kendall_tau, spearman_rho, proxy_seconds, final_seconds, sets, rows)" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)" };
        var command = new Command("proxy", "Rank correlation between a search's proxy fitness and the final training, and the cost of each")
        {
            preset, data, seed, count, run, storage, set, variants, finalImages, bf16, against, topK, rowsFile, json, threads,
        };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            var architectures = parse.GetValue(count);
            if (architectures < 2) throw new UsageException($"--architectures must be at least 2 to rank them, got {architectures}");
            if (parse.GetValue(finalImages) < 0) throw new UsageException("--final-images must be 0 (all) or more");
            var againstRetest = parse.GetValue(against) switch
            {
                "final" => false,
                "retest" => true,
                var other => throw new UsageException($"--against is '{other}'; use final or retest"),
            };
            var search = ConfigOverrides.Apply(Presets.Get(parse.GetValue(preset)!), parse.GetValue(set) ?? []) with { Seed = parse.GetValue(seed) };
            search.Validate();
            var variantTexts = (parse.GetValue(variants) ?? []).Concat(parse.GetValue(bf16) ? ["bf16: training.bf16_autocast=true"] : []).ToList();
            var parsed = variantTexts.Select(v => ProxyVariant.Parse(v, search)).ToList();
            if (parsed.GroupBy(v => v.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new UsageException($"--variant: the name '{twice.Key}' is given twice; give each variant its own name");
            var config = new ProxyBenchConfig
            {
                Search = search, Variants = parsed, Architectures = architectures, Run = parse.GetValue(run), Storage = parse.GetValue(storage),
                FinalMaxTrainImages = parse.GetValue(finalImages), TopK = parse.GetValue(topK), RowsFile = parse.GetValue(rowsFile),
                AgainstRetest = againstRetest,
            };
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var asJson = parse.GetValue(json);
            // With --json, stdout is the document alone and the per-architecture progress goes to stderr.
            var outcome = new ProxyBench(config, parse.GetValue(data)!).Run(asJson ? Console.Error.WriteLine : line => AnsiConsole.MarkupLine(Markup.Escape(line)));
            if (asJson) Console.WriteLine(GptNasJson.Serialize(outcome));
            else Print(outcome);
            return 0;
        }));
        return command;
    }

    private static void Print(ProxyBenchOutcome outcome)
    {
        var table = new Table().AddColumns("proxy", "set", "architectures", $"Kendall tau-b vs {outcome.Against}", "Spearman rho", "top-k overlap", "tau vs proxy",
            "proxy s / arch.", $"{outcome.Against} s / arch.");
        var own = outcome.Sets.Append(ProxyAgreement.Of("all", ProxyVariant.Base, outcome.Rows, outcome.TopK));
        foreach (var a in own.Concat(outcome.Variants))
            table.AddRow(a.Proxy, a.Set, a.Architectures.ToString(), a.KendallTau.ToString("F3"), a.SpearmanRho.ToString("F3"),
                $"{a.TopKOverlap:F2} (k={a.TopK})", a.Proxy == ProxyVariant.Base ? "" : a.KendallTauAgainstBase.ToString("F3"),
                a.ProxySeconds.ToString("F1"), a.FinalSeconds.ToString("F1"));
        AnsiConsole.Write(table);
        var f = outcome.Final;
        AnsiConsole.MarkupLine(Markup.Escape(outcome.Against == "retest"
            ? $"proxy: {Describe(outcome.Proxy)}; ranked against the same proxy retrained from other seeds (same images), scored by validation top-1"
            : $"proxy: {Describe(outcome.Proxy)}; final: {f.Epochs} epochs, batch {f.BatchSize}, lr {f.LearningRate} {f.Schedule}, " +
              $"{(outcome.FinalMaxTrainImages > 0 ? $"at most {outcome.FinalMaxTrainImages:N0}" : "all")} training images, scored by test top-1"));
        AnsiConsole.MarkupLine($"{ProxyVariant.Parameters}: the parameter count ranked as a score, the zero-cost baseline");
        foreach (var v in outcome.VariantSettings)
            AnsiConsole.MarkupLine(Markup.Escape($"{v.Name}: {string.Join(" ", v.Assignments)} ({Describe(v.Proxy)})"));
    }

    private static string Describe(ProxySettings proxy)
    {
        var p = proxy.Training;
        return $"{p.Epochs} epochs, batch {p.BatchSize}, lr {p.LearningRate} {p.Schedule}, acceleration {proxy.Acceleration}, " +
               $"at most {(proxy.MaxTrainImages > 0 ? proxy.MaxTrainImages.ToString("N0") : "all")} images{(p.Bf16Autocast ? ", bf16" : "")}";
    }
}
