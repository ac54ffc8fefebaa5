using System.CommandLine;
using System.Text.Json;
using GptNas.Architectures;
using GptNas.Runs;
using GptNas.Trials;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary><c>gptnas trials list | show</c>: what a study recorded, as tables or JSON.</summary>
public static class TrialsCommands
{
    public static Command Create()
    {
        var trials = new Command("trials", "Inspect the trials a search recorded");
        trials.Subcommands.Add(CreateList());
        trials.Subcommands.Add(CreateShow());
        return trials;
    }

    private static Option<string> RunOption() => new("--run") { Description = "The search's run folder (holds study.db)", Required = true };

    private static Option<string?> StorageOption() => new("--storage") { Description = "The store the search was given with --storage, if any (a SQLite file or a PostgreSQL connection string)" };

    private static Command CreateList()
    {
        var run = RunOption();
        var storage = StorageOption();
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "One line per trial: generation/index, state, fitness, parameters, operators") { run, storage, json };
        list.SetAction(parse => UserErrors.Run(() =>
        {
            var records = Load(parse.GetValue(run)!, parse.GetValue(storage));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(records.Select(Summary), GptNasJson.Options));
                return 0;
            }
            var table = new Table().AddColumns("trial", "state", "fitness", "parameters", "seconds", "operators", "GPT rebuilt");
            foreach (var t in records)
                table.AddRow(t.Name, t.State.ToString(), t.Fitness?.ToString("P2") ?? "-", t.Metrics.GetValueOrDefault(TrialMetrics.Parameters).ToString("N0"),
                    t.Seconds?.ToString("F1") ?? "-", Markup.Escape(string.Join(" ", t.Operators)), Markup.Escape(string.Join(",", t.Predicted)));
            AnsiConsole.Write(table);
            return 0;
        }));
        return list;
    }

    private static Command CreateShow()
    {
        var run = RunOption();
        var storage = StorageOption();
        var name = new Argument<string>("trial") { Description = "The trial, as g<generation>/i<index>, e.g. g2/i5" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var show = new Command("show", "Everything recorded for one trial, including its architecture") { name, run, storage, json };
        show.SetAction(parse => UserErrors.Run(() =>
        {
            var wanted = parse.GetValue(name)!;
            var trial = Load(parse.GetValue(run)!, parse.GetValue(storage)).FirstOrDefault(t => t.Name == wanted)
                        ?? throw new UsageException($"no trial '{wanted}' in this run; 'gptnas trials list --run ...' lists them");
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(Summary(trial), GptNasJson.Options));
                return 0;
            }
            var grid = new Grid().AddColumn().AddColumn();
            foreach (var (key, value) in Summary(trial).Where(kv => kv.Key != "candidate"))
                grid.AddRow(key, Markup.Escape(value is IEnumerable<object> list ? string.Join(" ", list) : JsonSerializer.Serialize(value, GptNasJson.Options)));
            AnsiConsole.Write(grid);
            Console.WriteLine(trial.Candidate);
            return 0;
        }));
        return show;
    }

    private static IReadOnlyList<TrialRecord> Load(string folder, string? storage)
    {
        using var run = RunStudy.Open(new RunFolder(folder), storage);
        return run.Trials();
    }

    private static Dictionary<string, object?> Summary(TrialRecord t) => new()
    {
        ["trial"] = t.Name, ["state"] = t.State.ToString(), ["fitness"] = t.Fitness, ["hash"] = t.Hash, ["parents"] = t.Parents,
        ["operators"] = t.Operators, ["gpt_rebuilt_blocks"] = t.Predicted, ["seed"] = t.Seed, ["metrics"] = t.Metrics, ["error"] = t.Error,
        ["worker"] = t.Worker, ["started"] = t.Started, ["finished"] = t.Finished, ["seconds"] = t.Seconds, ["downsamples"] = Downsamples(t.Candidate),
        ["candidate"] = t.Candidate,
    };

    /// <summary>The candidate's down-sampling blocks, or null for a candidate that is not an architecture's text.</summary>
    private static int? Downsamples(string candidate)
    {
        try { return Architecture.Parse(candidate).Downsamples(); }
        catch (ArchitectureException) { return null; }
    }
}
