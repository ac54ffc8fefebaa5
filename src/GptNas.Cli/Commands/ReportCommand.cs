using System.CommandLine;
using GptNas.Reports;
using GptNas.Runs;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary><c>gptnas report</c>: a self-contained folder (HTML + PNG plots) from one or more search runs.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var runs = new Option<string[]>("--run") { Description = "Run folder(s) of 'gptnas search' (repeatable; with and without GPT side by side)", Required = true };
        var output = new Option<string?>("--out") { Description = "Report folder (default: <first run>/report)" };
        var storage = new Option<string?>("--storage") { Description = "The store the searches were given with --storage, if any; each run's study carries its folder's name" };
        var command = new Command("report", "Write an HTML report with plots of search runs") { runs, storage, output };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            var folders = parse.GetValue(runs)!.Select(path => new RunFolder(path)).ToList();
            var summaries = folders.Select(folder => RunStudy.Summary(folder, parse.GetValue(storage))).ToList();
            var html = ReportWriter.Write(summaries, parse.GetValue(output) ?? folders[0].ReportFolder);
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(html)}[/] ({summaries.Count} run(s), {summaries.Sum(s => s.Trials.Count)} trials)");
            return 0;
        }));
        return command;
    }
}
