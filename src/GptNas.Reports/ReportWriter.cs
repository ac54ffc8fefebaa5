using System.Globalization;
using System.Net;
using System.Text;
using GptNas.Trials;

namespace GptNas.Reports;

/// <summary>
/// Writes a self-contained report folder: <c>index.html</c> (tables, and the plots beside it as PNG files)
/// drawn from the runs' study databases. Runs with and without GPT are shown side by side.
/// </summary>
public static class ReportWriter
{
    public static string Write(IReadOnlyList<RunSummary> runs, string folder)
    {
        if (runs.Count == 0) throw new GptNasException("no runs to report; give --run with the folder of a 'gptnas search' run");
        Directory.CreateDirectory(folder);
        Plots.BestFitness(runs, Path.Combine(folder, "best_fitness.png"));
        Plots.AccuracyAgainstParameters(runs, Path.Combine(folder, "accuracy_vs_parameters.png"));
        Plots.FinalTraining(runs, Path.Combine(folder, "final_loss.png"), Path.Combine(folder, "final_accuracy.png"));
        foreach (var (run, index) in Evaluated(runs))
            Plots.ConfusionMatrix(run.Evaluation!, Path.Combine(folder, ConfusionFile(runs, index)));
        var html = Path.Combine(folder, "index.html");
        File.WriteAllText(html, Html(runs));
        return html;
    }

    private static string Html(IReadOnlyList<RunSummary> runs)
    {
        var text = new StringBuilder();
        text.Append("""
            <!doctype html><html><head><meta charset="utf-8"><title>gptnas report</title>
            <style>body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}
            td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
            img{max-width:100%;border:1px solid #eee;margin:0.5em 0}</style></head><body>
            <h1>gptnas search report</h1>
            """);
        text.Append($"<p>{runs.Count} run(s) on {Encode(string.Join(", ", runs.Select(r => r.Data).Distinct()))}; generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.</p>");
        text.Append("<h2>The searches side by side</h2><table><tr><th>search</th><th>runs</th><th>final test top-1 (%), mean ± std</th><th>std. error</th>" +
                    "<th>best proxy fitness (%), mean ± std</th><th>best found after generation 1</th><th>distinct architectures, mean</th></tr>");
        foreach (var group in runs.GroupBy(r => r.Group).OrderBy(g => g.First().GroupOrder))
        {
            var final = Spread.Of(group.Where(r => r.Final is not null).Select(r => r.Final!.TestTop1));
            var proxy = Spread.Of(group.Where(r => r.BestFitness is not null).Select(r => r.BestFitness!.Value));
            var climbed = group.Where(r => r.ImprovedAfterGeneration1 is not null).ToList();
            text.Append($"<tr><td>{group.First().Group}</td><td>{group.Count()}</td><td>{final.Percent}</td><td>{(final.Count > 1 ? Points(final.StandardError) : "-")}</td>" +
                        $"<td>{proxy.Percent}</td><td>{climbed.Count(r => r.ImprovedAfterGeneration1 == true)} of {climbed.Count}</td>" +
                        $"<td>{group.Average(r => r.DistinctArchitectures).ToString("F1", CultureInfo.InvariantCulture)}</td></tr>");
        }
        text.Append("</table>");
        var comparisons = PairedComparison.Of(runs);
        if (comparisons.Count > 0)
        {
            text.Append("<p>Paired by seed (a seed draws the data split and the first population sampled, before the rebuilding arms rebuild it); differences in points, ± standard error.</p>" +
                        "<table><tr><th>comparison</th><th>seeds</th><th>final test top-1 difference</th><th>first better / worse</th><th>best proxy fitness difference</th></tr>");
            foreach (var c in comparisons)
                text.Append($"<tr><td>{c.Reference} minus {c.Other}</td><td>{c.Pairs}</td><td>{Difference(c.FinalDifference)}</td><td>{c.ReferenceBetter} / {c.OtherBetter}</td>" +
                            $"<td>{Difference(c.ProxyDifference)}</td></tr>");
            text.Append("</table>");
        }
        text.Append("<h2>Runs</h2><table><tr><th>run</th><th>search</th><th>seed</th><th>trials</th><th>distinct</th><th>down-samplings (mean)</th><th>failed</th><th>best proxy (%)</th><th>generation of best</th>" +
                    "<th>trial time (s)</th><th>proxy compute (T multiply-adds)</th><th>final test top-1 (%)</th><th>final top-5 (%)</th><th>final top-1 with test-time augmentation (%)</th></tr>");
        foreach (var run in runs)
        {
            var failed = run.Trials.Count(t => t.State == TrialState.Failed);
            text.Append($"<tr><td>{Encode(run.Name)}</td><td>{run.Group}</td><td>{run.Seed}</td><td>{run.Trials.Count}</td><td>{run.DistinctArchitectures}</td>" +
                        $"<td>{run.MeanDownsamples.ToString("F2", CultureInfo.InvariantCulture)}</td><td>{failed}</td><td>{Percent(run.BestFitness)}</td><td>{run.GenerationOfBest?.ToString(CultureInfo.InvariantCulture) ?? "-"}</td>" +
                        $"<td>{run.TrialSeconds.ToString("F0", CultureInfo.InvariantCulture)}</td><td>{(run.ProxyMultiplyAdds / 1e12).ToString("F2", CultureInfo.InvariantCulture)}</td>" +
                        $"<td>{Percent(run.Final?.TestTop1)}</td><td>{Percent(run.FinalTop5)}</td><td>{Percent(run.Final?.TestTop1Augmented)}</td></tr>");
        }
        text.Append("</table>");
        BlockKindTable(runs, text);
        text.Append("<h2>GPT reconstruction</h2><p>How the prior's proposals reached the candidates (GPT-NAS §5): the share of layer tokens the GPT " +
                    "and the block classifier read that were vocabulary tokens themselves (not nearest-token fallbacks), and the share of predicted " +
                    "blocks built as predicted (the classified kind, beginning with the predicted layer, unchanged by repair).</p>");
        text.Append("<table><tr><th>run</th><th>GPT context exact (%)</th><th>classifier inputs exact (%)</th><th>predicted blocks</th>" +
                    "<th>as predicted (%)</th><th>mask relaxed</th><th>unrealisable</th><th>repaired</th><th>rebuilds discarded</th></tr>");
        foreach (var run in runs.Where(r => r.WithGpt))
        {
            var r = run.Reconstruction;
            text.Append($"<tr><td>{Encode(run.Name)}</td><td>{Share(r.ContextExactShare)}</td><td>{Share(r.ClassifierExactShare)}</td><td>{r.Blocks:N0}</td>" +
                        $"<td>{Share(r.AsPredictedShare)}</td><td>{r.MaskRelaxed:N0}</td><td>{r.Unrealisable:N0}</td><td>{r.Repaired:N0}</td><td>{r.Discarded:N0}</td></tr>");
        }
        text.Append("</table>");
        foreach (var (file, caption) in new[]
                 {
                     ("best_fitness.png", "Best proxy fitness per generation."),
                     ("accuracy_vs_parameters.png", "Proxy accuracy against parameter count, every complete trial."),
                     ("final_loss.png", "Final training of the best architecture: training loss."),
                     ("final_accuracy.png", "Final training of the best architecture: validation top-1."),
                 })
            text.Append($"<figure><img src=\"{file}\" alt=\"{caption}\"><figcaption>{caption}</figcaption></figure>");
        if (Evaluated(runs).Any())
        {
            text.Append("<h2>Evaluation of the final models</h2><p>From <code>gptnas evaluate</code>: each class's accuracy (recall) and precision, " +
                        "and the confusion matrix (rows: true class; columns: predicted class).</p>");
            foreach (var (run, index) in Evaluated(runs))
            {
                var e = run.Evaluation!;
                text.Append($"<h3>{Encode(run.Name)}</h3><p>{Encode(e.Split)} split of {Encode(e.Data)}: top-1 {Percent(e.Top1)} %" +
                            (e.Top5 is { } top5 ? $", top-5 {Percent(top5)} %" : "") + $" on {e.Images:N0} images.</p>");
                text.Append("<table><tr><th>class</th><th>images</th><th>accuracy (%)</th><th>precision (%)</th></tr>");
                foreach (var c in e.Classes)
                    text.Append($"<tr><td>{Encode(c.Name)}</td><td>{c.Images:N0}</td><td>{Share(c.Recall)}</td><td>{Share(c.Precision)}</td></tr>");
                text.Append($"</table><figure><img src=\"{ConfusionFile(runs, index)}\" alt=\"Confusion matrix\"><figcaption>Confusion matrix of {Encode(run.Name)}.</figcaption></figure>");
            }
        }
        text.Append("</body></html>\n");
        return text.ToString();
    }

    /// <summary>The runs whose model <c>gptnas evaluate</c> has evaluated, with their place in the report.</summary>
    private static IEnumerable<(RunSummary Run, int Index)> Evaluated(IReadOnlyList<RunSummary> runs) =>
        runs.Select((run, index) => (run, index)).Where(r => r.run.Evaluation is not null);

    /// <summary>The confusion matrix's file: <c>gptnas evaluate</c>'s own name in a one-run report (its run's report folder), one per run otherwise.</summary>
    private static string ConfusionFile(IReadOnlyList<RunSummary> runs, int index) => runs.Count == 1 ? "confusion.png" : $"confusion_{index}.png";

    /// <summary>Each group's share of every block kind over its runs' distinct architectures: what each search proposed.</summary>
    private static void BlockKindTable(IReadOnlyList<RunSummary> runs, StringBuilder text)
    {
        var groups = runs.GroupBy(r => r.Group).OrderBy(g => g.First().GroupOrder)
            .Select(g => (Name: g.Key, Counts: g.SelectMany(r => r.BlockKinds()).GroupBy(p => p.Key).ToDictionary(p => p.Key, p => p.Sum(q => q.Value))))
            .ToList();
        var kinds = groups.SelectMany(g => g.Counts.Keys).Distinct().Order().ToList();
        if (kinds.Count == 0) return;
        text.Append("<h2>Block kinds proposed</h2><p>Share of each block kind among the blocks of each search's distinct architectures (%).</p><table><tr><th>block kind</th>");
        foreach (var group in groups) text.Append($"<th>{group.Name}</th>");
        text.Append("</tr>");
        foreach (var kind in kinds)
        {
            text.Append($"<tr><td>{kind}</td>");
            foreach (var group in groups)
                text.Append($"<td>{Share(group.Counts.GetValueOrDefault(kind) / (double)Math.Max(1, group.Counts.Values.Sum()))}</td>");
            text.Append("</tr>");
        }
        text.Append("</table>");
    }

    private static string Share(double share) => double.IsFinite(share) ? (share * 100).ToString("F1", CultureInfo.InvariantCulture) : "-";

    private static string Percent(double? value) => value is { } v ? (v * 100).ToString("F2", CultureInfo.InvariantCulture) : "-";
    private static string Points(double value) => (value * 100).ToString("F2", CultureInfo.InvariantCulture);
    private static string Difference(Spread d) => d.Count == 0 ? "-" : $"{d.Mean * 100:+0.00;-0.00} ± {(d.Count > 1 ? Points(d.StandardError) : "-")}";
    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
