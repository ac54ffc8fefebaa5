using System.CommandLine;
using GptNas.Runs;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary><c>gptnas export</c>: a trained model as ONNX or as PyTorch (state dict and a plain torch.nn module).</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var run = new Option<string?>("--run") { Description = "A search run folder (its final model)" };
        var model = new Option<string?>("--model") { Description = "A gptnas train output folder, or a search run folder" };
        var format = new Option<string>("--format") { Description = "onnx or pytorch", DefaultValueFactory = _ => "onnx" };
        var output = new Option<string?>("--out") { Description = "Output file (onnx) or folder (pytorch); default model.onnx or pytorch/ in the model's folder" };
        var command = new Command("export", "Export a trained model to ONNX or PyTorch") { run, model, format, output };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            var kind = ExportRun.ParseFormat(parse.GetValue(format)!);
            using var loaded = LoadedModel.Open(ModelPath(parse.GetValue(run), parse.GetValue(model)), Log);
            var written = ExportRun.Export(loaded, kind, parse.GetValue(output));
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(written)}[/] ({kind}, {loaded.Architecture.Parameters:N0} parameters, " +
                                   $"input {loaded.Input.Shape}, {loaded.Input.ClassNames.Length} classes)");
            return 0;
        }));
        return command;
    }

    /// <summary>The one model folder given by <c>--run</c> or <c>--model</c>.</summary>
    public static string ModelPath(string? run, string? model) => (run, model) switch
    {
        (null, null) => throw new UsageException("give the model's folder with --model (or --run for a search)"),
        ({ }, { }) => throw new UsageException("give --run or --model, not both"),
        _ => run ?? model!,
    };

    public static void Log(string line) => Console.Error.WriteLine($"note: {line}");
}
