using ScottPlot;
using System.Globalization;
using GptNas.Training;
using GptNas.Trials;

namespace GptNas.Reports;

/// <summary>The report's figures, drawn from the runs' own records with ScottPlot and saved as PNG.</summary>
public static class Plots
{
    private const int Width = 800, Height = 500;
    /// <summary>One colour per group (GPT-NAS, uniform rebuild, without GPT, random sampling), the same in every figure.</summary>
    private static Color ColorOf(RunSummary run) => run.GroupOrder switch { 0 => Colors.C0, 1 => Colors.C3, 2 => Colors.C1, _ => Colors.C2 };

    /// <summary>Best proxy fitness so far per generation: thin lines per run, thick lines for each group's mean.</summary>
    public static void BestFitness(IReadOnlyList<RunSummary> runs, string path)
    {
        var plot = new Plot();
        foreach (var group in runs.GroupBy(r => r.Group))
        {
            var color = ColorOf(group.First());
            var curves = group.Select(r => r.BestFitnessByGeneration().Select(f => f * 100).ToArray()).Where(c => c.Length > 0).ToList();
            foreach (var curve in curves)
            {
                var line = plot.Add.Scatter(Generations(curve.Length), curve);
                line.Color = color.WithAlpha(0.35);
                line.LineWidth = 1;
                line.MarkerSize = 0;
            }
            var length = curves.Count == 0 ? 0 : curves.Min(c => c.Length);
            if (length == 0) continue;
            var mean = Enumerable.Range(0, length).Select(g => curves.Average(c => c[g])).ToArray();
            var average = plot.Add.Scatter(Generations(length), mean);
            average.Color = color;
            average.LineWidth = 3;
            average.LegendText = $"{group.First().Group} (mean of {curves.Count})";
        }
        plot.Title("Best proxy fitness per generation");
        plot.XLabel("generation");
        plot.YLabel("best validation top-1 so far (%)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Every complete trial's proxy accuracy against its parameter count.</summary>
    public static void AccuracyAgainstParameters(IReadOnlyList<RunSummary> runs, string path)
    {
        var plot = new Plot();
        foreach (var group in runs.GroupBy(r => r.Group))
        {
            var trials = group.SelectMany(r => r.Trials).Where(t => t.State == TrialState.Complete && t.Metrics.ContainsKey(TrialMetrics.Parameters)).ToList();
            if (trials.Count == 0) continue;
            var points = plot.Add.ScatterPoints(trials.Select(t => Math.Log10(t.Metrics[TrialMetrics.Parameters])).ToArray(), trials.Select(t => t.Fitness!.Value * 100).ToArray());
            points.Color = ColorOf(group.First()).WithAlpha(0.6);
            points.MarkerSize = 6;
            points.LegendText = $"{group.First().Group} ({trials.Count} trials)";
        }
        plot.Title("Proxy accuracy against parameters");
        plot.XLabel("parameters (log10)");
        plot.YLabel("validation top-1 (%)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>The final training of each run's best architecture: training loss and validation accuracy per epoch.</summary>
    public static void FinalTraining(IReadOnlyList<RunSummary> runs, string lossPath, string accuracyPath)
    {
        var loss = new Plot();
        var accuracy = new Plot();
        foreach (var run in runs.Where(r => r.Final is { History.Count: > 0 }))
        {
            var epochs = run.Final!.History.Select(h => (double)h.Epoch).ToArray();
            var color = ColorOf(run);
            var l = loss.Add.Scatter(epochs, run.Final.History.Select(h => h.TrainLoss).ToArray());
            l.Color = color;
            l.LegendText = run.Name;
            var validation = run.Final.History.Where(h => h.ValidationTop1 is not null).ToList();
            if (validation.Count == 0) continue;
            var a = accuracy.Add.Scatter(validation.Select(h => (double)h.Epoch).ToArray(), validation.Select(h => h.ValidationTop1!.Value * 100).ToArray());
            a.Color = color;
            a.LegendText = run.Name;
        }
        loss.Title("Final training: training loss");
        loss.XLabel("epoch");
        loss.YLabel("cross-entropy");
        loss.ShowLegend(Alignment.UpperRight);
        loss.SavePng(lossPath, Width, Height);
        accuracy.Title("Final training: validation top-1");
        accuracy.XLabel("epoch");
        accuracy.YLabel("top-1 (%)");
        accuracy.ShowLegend(Alignment.LowerRight);
        accuracy.SavePng(accuracyPath, Width, Height);
    }

    /// <summary>
    /// The confusion matrix of <c>gptnas evaluate</c>: one row per true class, one column per predicted class, each cell
    /// coloured by its share of the row (the class's images) and labelled with its count.
    /// </summary>
    public static void ConfusionMatrix(ModelEvaluation evaluation, string path)
    {
        var counts = evaluation.Confusion;
        var n = counts.Length;
        var shares = new double[n, n];
        for (var truth = 0; truth < n; truth++)
        {
            var images = Math.Max(1, counts[truth].Sum());
            for (var predicted = 0; predicted < n; predicted++) shares[truth, predicted] = 100.0 * counts[truth][predicted] / images;
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 100);
        plot.Add.ColorBar(heatmap).Label = "share of the true class's images (%)";
        if (n <= 20)
            for (var truth = 0; truth < n; truth++)
                for (var predicted = 0; predicted < n; predicted++)
                {
                    if (counts[truth][predicted] == 0) continue;
                    var label = plot.Add.Text(counts[truth][predicted].ToString(CultureInfo.InvariantCulture), predicted, n - 1 - truth);
                    label.LabelAlignment = Alignment.MiddleCenter;
                    label.LabelFontColor = shares[truth, predicted] > 50 ? Colors.Black : Colors.White;
                    label.LabelFontSize = n <= 10 ? 12 : 9;
                }
        var names = evaluation.Classes.Select(c => c.Name).ToArray();
        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, names);
        plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 110;
        plot.Axes.Left.SetTicks(positions.Reverse().ToArray(), names);
        plot.Axes.Margins(0, 0);
        plot.HideGrid();
        plot.Title($"Confusion matrix, {evaluation.Split} split of {evaluation.Data}: top-1 {evaluation.Top1 * 100:F2} % on {evaluation.Images:N0} images");
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        plot.SavePng(path, Width, Width);
    }

    private static double[] Generations(int count) => Enumerable.Range(0, count).Select(g => (double)g).ToArray();
}
