using System.CommandLine;
using System.Globalization;
using GptNas.Runs;
using GptNas.Training;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary><c>gptnas evaluate</c>: a trained model's top-1, top-5, per-class accuracy and confusion matrix on a labelled split.</summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var run = new Option<string?>("--run") { Description = "A search run folder (its final model)" };
        var model = new Option<string?>("--model") { Description = "A gptnas train output folder, or a search run folder" };
        var data = new Option<string?>("--data") { Description = "Data set name or path (default: the one the model was trained on)" };
        var split = new Option<string>("--split") { Description = "The labelled split to evaluate: test or train", DefaultValueFactory = _ => "test" };
        var json = new Option<bool>("--json") { Description = "Print the evaluation as JSON (as report/evaluation.json holds it)" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)" };
        var command = new Command("evaluate", "Top-1, top-5, per-class accuracy and the confusion matrix of a trained model; writes them to its report folder")
        {
            run, model, data, split, json, threads,
        };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            TorchRuntime.SetThreads(parse.GetValue(threads));
            using var loaded = LoadedModel.Open(ExportCommand.ModelPath(parse.GetValue(run), parse.GetValue(model)), ExportCommand.Log);
            var evaluation = EvaluateRun.Evaluate(loaded, parse.GetValue(data), parse.GetValue(split)!, ExportCommand.Log);
            if (parse.GetValue(json)) Console.WriteLine(GptNasJson.Serialize(evaluation));
            else Print(evaluation);
            Console.Error.WriteLine($"wrote {loaded.Folder.EvaluationFile} and {loaded.Folder.ConfusionMatrixFile}");
            return 0;
        }));
        return command;
    }

    private static void Print(ModelEvaluation evaluation)
    {
        var table = new Table().AddColumns("class", "images", "accuracy (recall)", "precision", "most often taken for");
        for (var c = 0; c < evaluation.Classes.Count; c++)
        {
            var row = evaluation.Confusion[c];
            var confused = Enumerable.Range(0, row.Length).Where(p => p != c && row[p] > 0).OrderByDescending(p => row[p]).FirstOrDefault(-1);
            var name = evaluation.Classes[c];
            table.AddRow(Markup.Escape(name.Name), name.Images.ToString("N0", CultureInfo.InvariantCulture), Percent(name.Recall), Percent(name.Precision),
                confused < 0 ? "-" : Markup.Escape($"{evaluation.Classes[confused].Name} ({row[confused]:N0})"));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape($"{evaluation.Split} split of {evaluation.Data}: top-1 {Percent(evaluation.Top1)}" +
                                             (evaluation.Top5 is { } top5 ? $", top-5 {Percent(top5)}" : "") +
                                             $", loss {evaluation.Loss:F4} on {evaluation.Images:N0} images"));
    }

    private static string Percent(double share) => double.IsFinite(share) ? share.ToString("P2", CultureInfo.InvariantCulture) : "-";
}
