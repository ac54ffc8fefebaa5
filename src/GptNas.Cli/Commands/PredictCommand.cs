using System.CommandLine;
using System.Globalization;
using GptNas.Runs;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary><c>gptnas predict</c>: the top-k classes of image files, as a table, JSON or CSV.</summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A gptnas train output folder or a search run folder", Required = true };
        var images = new Argument<string[]>("images") { Description = "Image files (JPEG, PNG) or folders of them", Arity = ArgumentArity.OneOrMore };
        var top = new Option<int>("--top") { Description = "Classes shown per image", DefaultValueFactory = _ => 3 };
        var onnx = new Option<string?>("--onnx")
        {
            Description = "Run the exported ONNX model with ONNX Runtime (default file: model.onnx in the model's folder)", Arity = ArgumentArity.ZeroOrOne,
        };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var csv = new Option<bool>("--csv") { Description = "Print CSV" };
        var command = new Command("predict", "Classify images with a trained model") { model, images, top, onnx, json, csv };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            if (parse.GetValue(json) && parse.GetValue(csv)) throw new UsageException("give --json or --csv, not both");
            if (parse.GetValue(top) < 1) throw new UsageException($"--top must be positive, got {parse.GetValue(top)}");
            var files = Data.ImageFiles.Find(parse.GetValue(images)!);
            using var loaded = LoadedModel.Open(parse.GetValue(model)!, ExportCommand.Log);
            var onnxFile = parse.GetResult(onnx) is null ? null : parse.GetValue(onnx) ?? loaded.Folder.OnnxFile;
            var predictions = PredictRun.Predict(loaded, files, parse.GetValue(top), onnxFile);
            if (parse.GetValue(json)) PrintJson(predictions);
            else if (parse.GetValue(csv)) PrintCsv(predictions);
            else PrintTable(predictions);
            if (PredictRun.LabelledAccuracy(predictions) is { } accuracy)
                Console.Error.WriteLine($"top-1 {accuracy.Top1:P2} on the {accuracy.Images} images whose folder names their class (by name or index)");
            return 0;
        }));
        return command;
    }

    private static void PrintTable(IReadOnlyList<ImagePrediction> predictions)
    {
        var table = new Table().AddColumns("image", "class", "probability", "next classes, note");
        foreach (var p in predictions)
            table.AddRow(Markup.Escape(p.File), Markup.Escape(p.Top[0].Label), p.Top[0].Probability.ToString("P2", CultureInfo.InvariantCulture),
                Markup.Escape(string.Join("; ", p.Top.Skip(1).Select(t => $"{t.Label} {t.Probability:P1}").Prepend(p.Note ?? "").Where(s => s.Length > 0))));
        AnsiConsole.Write(table);
    }

    private static void PrintJson(IReadOnlyList<ImagePrediction> predictions) =>
        Console.WriteLine(GptNasJson.Serialize(predictions.Select(p => new
        {
            file = p.File,
            top = p.Top.Select(t => new { label = t.Label, probability = t.Probability }),
            note = p.Note,
        })));

    private static void PrintCsv(IReadOnlyList<ImagePrediction> predictions)
    {
        var k = predictions.Max(p => p.Top.Count);
        Console.WriteLine(string.Join(',', Enumerable.Range(1, k).SelectMany(i => new[] { $"label{i}", $"probability{i}" }).Prepend("file").Append("note")));
        foreach (var p in predictions)
            Console.WriteLine(string.Join(',', p.Top.SelectMany(t => new[] { Csv(t.Label), t.Probability.ToString("R", CultureInfo.InvariantCulture) })
                .Prepend(Csv(p.File)).Append(Csv(p.Note ?? ""))));
    }

    private static string Csv(string text) => text.IndexOfAny([',', '"', '\n']) < 0 ? text : $"\"{text.Replace("\"", "\"\"")}\"";
}
