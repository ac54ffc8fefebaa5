using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GptNas.Spaces.NasBench201;

/// <summary>Everything one <c>gptnas bench nb201</c> measured, as written to its result file.</summary>
public sealed record Nb201BenchOutcome(
    Nb201BenchConfig Config,
    int GaGenerations,
    Nb201Table Table,
    string? Prior,
    IReadOnlyList<Nb201RunResult> Results,
    double WallSeconds)
{
    /// <summary>The table's best CIFAR-10 test accuracy, against which regret is measured.</summary>
    public double Optimum { get; } = Table.Records.Max(r => r.Cifar10Test);

    public IReadOnlyList<Nb201StrategySummary> Summaries { get; } = Nb201StrategySummary.Of(Results, Table.Records.Max(r => r.Cifar10Test));

    /// <summary>
    /// The paired differences (by run) that separate what GPT-NAS's gain comes from, each when both strategies ran.
    /// No outside knowledge: gpt-online against REA, against the bare GA and against its count-model twin.
    /// Transfer: gpt-nas against the GA without GPT, uniform and count-model reconstruction, REA warm-started and
    /// random search over the corpus.
    /// </summary>
    public IReadOnlyList<Nb201Difference> Differences { get; } =
        new[]
        {
            ("gpt-online", "rea"), ("gpt-online", "ga"), ("gpt-online", "count-online"), ("count-online", "rea"),
            ("gpt-nas", "ga"), ("gpt-nas", "ga-uniform"), ("gpt-nas", "ga-count"), ("gpt-nas", "rea-warm"), ("gpt-nas", "rs-corpus"),
        }.Select(pair => Nb201Difference.Of(Results, pair.Item1, pair.Item2)).OfType<Nb201Difference>().ToList();
}

/// <summary>
/// Writes a <see cref="Nb201BenchOutcome"/> as CSV (one row per measured strategy, published row and difference;
/// columns <c>{metric}_mean, _std, _se</c>, where a difference row's <c>_std</c> is the sd of the paired per-run
/// differences) or as JSON (the same plus the protocol, the prior and every run's chosen cell), by extension.
/// </summary>
public static class Nb201ResultFile
{
    public static void Write(string path, Nb201BenchOutcome outcome)
    {
        var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        var text = extension switch
        {
            ".csv" => Csv(outcome),
            ".json" => Json(outcome),
            _ => throw new GptNasException($"--out '{path}' must end in .csv or .json"),
        };
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        File.WriteAllText(path, text);
    }

    public static string Csv(Nb201BenchOutcome outcome)
    {
        var text = new StringBuilder("kind,track,strategy,runs,queries_mean,distinct_mean,simulated_seconds_mean");
        foreach (var m in Nb201Metric.Reported) text.Append($",{m.Column}_mean,{m.Column}_std,{m.Column}_se");
        text.Append(",regret_mean,regret_se,at_optimum\n");
        foreach (var s in outcome.Summaries)
        {
            text.Append($"measured,{Nb201Strategies.Track(s.Strategy)},{s.Strategy},{s.Queries.Count},{F(s.Queries.Mean)},{F(s.Distinct.Mean)},{F(s.Spent.Mean)}");
            foreach (var m in s.Metrics) text.Append($",{F(m.Mean)},{F(m.Std)},{F(m.StandardError)}");
            text.Append($",{F(s.Regret.Mean)},{F(s.Regret.StandardError)},{F(s.AtOptimum)}\n");
        }
        foreach (var d in outcome.Differences)
        {
            text.Append($"difference,{Nb201Strategies.Track(d.Minuend)},{d.Minuend} - {d.Subtrahend},{d.Metrics[0].Count},,,");
            foreach (var m in d.Metrics) text.Append($",{F(m.Mean)},{F(m.Std)},{F(m.StandardError)}");
            text.Append(",,,\n");
        }
        foreach (var p in Nb201PublishedRow.All)
        {
            text.Append($"published NB201,,{p.Method},,,,");
            foreach (var (mean, std) in p.Metrics) text.Append($",{F(mean)},{F(std)},");
            text.Append(",,,\n");
        }
        return text.ToString();
    }

    public static string Json(Nb201BenchOutcome outcome)
    {
        object Stat(Spread s) => new { mean = N(s.Mean), std = N(s.Std), se = N(s.StandardError), n = s.Count };
        var document = new
        {
            benchmark = "nasbench201",
            table = new { path = outcome.Table.Path, sha256 = outcome.Table.Sha256, cells = outcome.Table.Records.Count },
            protocol = outcome.Config.Protocol.Describe(),
            budget_seconds = outcome.Config.Protocol.BudgetSeconds,
            cost_model = new { epochs = outcome.Config.Protocol.CostEpochs, scale = outcome.Config.Protocol.CostScale, charge_repeats = outcome.Config.Protocol.ChargeRepeats },
            signal = outcome.Config.Protocol.Signal == Nb201Signal.Seed ? "seed" : "mean",
            noise = new { sd_per_error_point = Nb201SeedTable.SdPerErrorPoint, scale = outcome.Config.Protocol.NoiseScale, seeds = Nb201SeedTable.SeedCount },
            optimum = outcome.Optimum,
            online_top_k = outcome.Config.OnlineTopK,
            runs = outcome.Config.Runs,
            seed = outcome.Config.Seed,
            rea = new { population = outcome.Config.ReaPopulation, sample_size = outcome.Config.ReaSampleSize },
            ga = new
            {
                population = outcome.Config.Ga.Population, generations = outcome.GaGenerations, crossover = outcome.Config.Ga.CrossoverProbability,
                mutation = outcome.Config.Ga.MutationProbability, elimination_rate = outcome.Config.Ga.EliminationRate,
                selection = outcome.Config.Ga.Selection, novel_offspring = outcome.Config.Ga.NovelOffspring,
            },
            prior = outcome.Prior,
            wall_seconds = outcome.WallSeconds,
            strategies = outcome.Summaries.Select(s => new
            {
                name = s.Strategy,
                track = Nb201Strategies.Track(s.Strategy),
                description = Nb201Strategies.Descriptions[s.Strategy],
                regret = Stat(s.Regret), at_optimum = N(s.AtOptimum),
                queries = Stat(s.Queries), distinct = Stat(s.Distinct), simulated_seconds = Stat(s.Spent),
                metrics = Nb201Metric.Reported.Select((m, i) => new { column = m.Column, stat = Stat(s.Metrics[i]) }),
            }),
            differences = outcome.Differences.Select(d => new
            {
                of = $"{d.Minuend} - {d.Subtrahend}", paired_by = "run",
                metrics = Nb201Metric.Reported.Select((m, i) => new { column = m.Column, stat = Stat(d.Metrics[i]) }),
            }),
            published = Nb201PublishedRow.All.Select(p => new
            {
                method = p.Method,
                metrics = Nb201Metric.Reported.Select((m, i) => new { column = m.Column, mean = N(p.Metrics[i].Mean), std = N(p.Metrics[i].Std) }),
            }),
            results = outcome.Results.Select(r => new
            {
                strategy = r.Strategy, run = r.Run, seed = r.Seed, arch = r.Best.Cell.ToString(), index = r.Best.Index,
                signal = N(r.Signal), queries = r.Queries, distinct = r.Distinct, simulated_seconds = r.Spent,
                cifar10_valid_acc = r.Best.Cifar10Valid, cifar10_test_acc = r.Best.Cifar10Test,
                cifar100_test_acc = r.Best.Cifar100Test, imagenet16_test_acc = r.Best.ImageNet16Test,
            }),
        };
        return GptNasJson.Serialize(document);
    }

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.######", CultureInfo.InvariantCulture) : "";

    private static double? N(double value) => double.IsFinite(value) ? Math.Round(value, 6) : null;
}
