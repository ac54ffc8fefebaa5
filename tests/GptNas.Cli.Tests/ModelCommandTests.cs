using System.Diagnostics;
using System.Text.Json;
using SkiaSharp;

namespace GptNas.Tests;

/// <summary>
/// A trained model taken away: export (ONNX, PyTorch), predict on image files (TorchSharp and ONNX Runtime agree and
/// reproduce the test accuracy), training killed with SIGKILL and resumed to the same weights, and bad input refused
/// with one line and exit code 2.
/// </summary>
public class ModelCommandTests
{
    private static readonly string Program = Path.Combine(AppContext.BaseDirectory, "gptnas.dll");

    private static string[] Train(string data, string folder) =>
        ["train", "--arch", "resnet8", "--data", data, "--epochs", "4", "--out", folder, "--seed", "3", "--threads", "1", "--validation", "0"];

    /// <summary>Writes the tiny data set's test split as PNG files in one folder per class ("0" .. "3"): the layout predict labels by.</summary>
    private static string WriteTestImages(string data, string root)
    {
        var splits = Data.DataCatalog.Load(data, new Data.DataOptions { ValidationFraction = 0, UseCache = false });
        var test = splits.Test;
        for (var i = 0; i < test.Count; i++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, test.ClassNames[test.Labels[i]])).FullName;
            using var bitmap = new SKBitmap(new SKImageInfo(test.Width, test.Height, SKColorType.Gray8, SKAlphaType.Opaque));
            System.Runtime.InteropServices.Marshal.Copy(test.Image(i).ToArray(), 0, bitmap.GetPixels(), test.ImageSize);
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder, $"{i:D3}.png"), png.ToArray());
        }
        return root;
    }

    private static double TestTop1(string folder) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json"))).RootElement.GetProperty("test_top1").GetDouble();

    [Fact]
    public void Export_and_predict_reproduce_the_test_accuracy_with_TorchSharp_and_ONNX_Runtime()
    {
        using var temp = new TempFolder();
        var data = Directory.CreateDirectory(Path.Combine(temp.Path, "data")).FullName;
        TinyData.Write(data);
        var model = Path.Combine(temp.Path, "model");
        Assert.Equal(0, CliRunner.Run(Train(data, model)).ExitCode);
        Assert.True(File.Exists(Path.Combine(model, "input.json")));

        var onnx = CliRunner.Run("export", "--model", model, "--format", "onnx");
        Assert.True(onnx.ExitCode == 0, onnx.Stderr);
        Assert.True(File.Exists(Path.Combine(model, "model.onnx")));
        var pytorch = CliRunner.Run("export", "--model", model, "--format", "pytorch", "--out", Path.Combine(temp.Path, "py"));
        Assert.True(pytorch.ExitCode == 0, pytorch.Stderr);
        Assert.True(File.Exists(Path.Combine(temp.Path, "py", "model.pt")) && File.Exists(Path.Combine(temp.Path, "py", "gptnas_model.py")));

        var images = WriteTestImages(data, Path.Combine(temp.Path, "images"));
        var expected = $"top-1 {TestTop1(model):P2} on the 80 images whose folder names their class";
        var torch = CliRunner.Run("predict", "--model", model, images, "--csv");
        Assert.True(torch.ExitCode == 0, torch.Stderr);
        Assert.Contains(expected, torch.Stderr);
        var viaOnnx = CliRunner.Run("predict", "--model", model, images, "--csv", "--onnx");
        Assert.True(viaOnnx.ExitCode == 0, viaOnnx.Stderr);
        Assert.Contains(expected, viaOnnx.Stderr);
        // The same top class for every image, probabilities within float noise.
        var rows = torch.Stdout.Trim().Split('\n').Skip(1).Select(l => l.Split(',')).ToArray();
        var onnxRows = viaOnnx.Stdout.Trim().Split('\n').Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(80, rows.Length);
        Assert.Equal(rows.Select(r => (r[0], r[1])), onnxRows.Select(r => (r[0], r[1])));
        Assert.All(rows.Zip(onnxRows), p => Assert.True(Math.Abs(double.Parse(p.First[2]) - double.Parse(p.Second[2])) < 1e-4));

        var json = CliRunner.Run("predict", "--model", model, Path.Combine(images, "0", "000.png"), "--json", "--top", "2");
        Assert.Equal(2, JsonDocument.Parse(json.Stdout).RootElement[0].GetProperty("top").GetArrayLength());
    }

    [Fact]
    public void Evaluate_reproduces_the_test_accuracy_and_writes_the_confusion_matrix_to_the_report()
    {
        using var temp = new TempFolder();
        var data = Directory.CreateDirectory(Path.Combine(temp.Path, "data")).FullName;
        TinyData.Write(data);
        var model = Path.Combine(temp.Path, "model");
        Assert.Equal(0, CliRunner.Run([.. Train(data, model)[..6], "2", .. Train(data, model)[7..]]).ExitCode);

        // No --data: the data the model was trained on, normalized as its training was.
        var (code, stdout, stderr) = CliRunner.Run("evaluate", "--model", model, "--json", "--threads", "1");
        Assert.True(code == 0, stderr);
        var evaluation = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(80, evaluation.GetProperty("images").GetInt32());
        Assert.Equal(TestTop1(model), evaluation.GetProperty("top1").GetDouble(), 1e-9);
        Assert.Equal(JsonValueKind.Null, evaluation.GetProperty("top5").ValueKind); // 4 classes: top-5 says nothing
        var confusion = evaluation.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt64()).ToArray()).ToArray();
        Assert.Equal(4, confusion.Length);
        Assert.All(confusion, row => Assert.Equal(20, row.Sum())); // TinyData's test split: 20 images of each class
        Assert.Equal(TestTop1(model) * 80, Enumerable.Range(0, 4).Sum(c => confusion[c][c]), 1e-6);
        var classes = evaluation.GetProperty("classes").EnumerateArray().ToList();
        Assert.All(classes.Select((c, i) => (c, i)), x => Assert.Equal(confusion[x.i][x.i] / 20.0, x.c.GetProperty("recall").GetDouble(), 1e-9));

        var png = File.ReadAllBytes(Path.Combine(model, "report", "confusion.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(stdout.Trim(), File.ReadAllText(Path.Combine(model, "report", "evaluation.json")).Trim());
        var train = CliRunner.Run("evaluate", "--model", model, "--split", "train", "--threads", "1", "--json");
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.Equal(240, JsonDocument.Parse(train.Stdout).RootElement.GetProperty("images").GetInt32());
        var table = CliRunner.Run("evaluate", "--model", model, "--threads", "1");
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Contains("test split of", table.Stdout);
    }

    [Fact]
    public void Bad_input_gets_one_line_and_exit_code_2_and_damages_nothing()
    {
        using var temp = new TempFolder();
        var data = Directory.CreateDirectory(Path.Combine(temp.Path, "data")).FullName;
        TinyData.Write(data);
        var model = Path.Combine(temp.Path, "model");
        Assert.Equal(0, CliRunner.Run([.. Train(data, model)[..6], "1", .. Train(data, model)[7..]]).ExitCode);
        var images = WriteTestImages(data, Path.Combine(temp.Path, "images"));
        var weights = File.ReadAllBytes(Path.Combine(model, "model.bin"));

        var empty = Directory.CreateDirectory(Path.Combine(temp.Path, "empty")).FullName;
        AssertRefused(["export", "--model", empty], "holds no trained model");
        AssertRefused(["export", "--model", model, "--format", "tflite"], "unknown export format 'tflite'");
        AssertRefused(["export", "--model", model, "--out", Path.Combine(temp.Path, "no", "such", "folder", "m.onnx")], "cannot write");
        var broken = temp.File("broken.png", [0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
        AssertRefused(["predict", "--model", model, broken], "broken.png");
        AssertRefused(["predict", "--model", model, images, "--onnx", Path.Combine(temp.Path, "missing.onnx")], "missing.onnx");
        AssertRefused(["evaluate", "--model", model, "--data", "fashion-mnist-small"], "but the model takes 12x12x1 images of 4 classes");
        AssertRefused(["evaluate", "--model", model, "--split", "validation"], "--split must be test or train");
        AssertRefused(["evaluate", "--model", empty], "holds no trained model");

        var other = Path.Combine(temp.Path, "other");
        Directory.CreateDirectory(other);
        foreach (var file in Directory.GetFiles(model)) File.Copy(file, Path.Combine(other, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(other, "architecture.txt"), File.ReadAllText(Path.Combine(model, "architecture.txt")).Replace("out=16", "out=24"));
        AssertRefused(["predict", "--model", other, images], "does not fit this architecture");

        // A colour image for a grey model is converted, with a note.
        using (var bitmap = new SKBitmap(new SKImageInfo(20, 20, SKColorType.Rgba8888, SKAlphaType.Opaque)))
        {
            bitmap.Erase(new SKColor(200, 10, 10));
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(temp.Path, "colour.png"), png.ToArray());
        }
        var colour = CliRunner.Run("predict", "--model", model, Path.Combine(temp.Path, "colour.png"), "--csv");
        Assert.Equal(0, colour.ExitCode);
        Assert.Contains("colour converted to grey; resized from 20x20 to 12x12", colour.Stdout);
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(model, "model.bin")));
    }

    private static void AssertRefused(string[] arguments, string expected)
    {
        var (code, _, stderr) = CliRunner.Run(arguments);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    private static Process Start(string[] arguments, string cache)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Program);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["GPTNAS_CACHE"] = cache;
        var process = Process.Start(start)!;
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Starts the command, SIGKILLs it once its checkpoint holds an epoch, and returns the epochs the checkpoint held.</summary>
    private static int KillAfterFirstCheckpoint(string[] arguments, string checkpoint, string cache)
    {
        using var run = Start(arguments, cache);
        run.BeginOutputReadLine();
        var clock = Stopwatch.StartNew();
        while (!run.HasExited && !File.Exists(checkpoint) && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(10);
        Assert.False(run.HasExited, "the run ended before its first checkpoint");
        run.Kill(entireProcessTree: true); // SIGKILL
        run.WaitForExit();
        return new Training.TrainingCheckpoint(checkpoint, "").EpochsDone();
    }

    private static string RunToEnd(string[] arguments, string cache)
    {
        using var run = Start(arguments, cache);
        var output = run.StandardOutput.ReadToEnd();
        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(3)), "the run did not finish");
        Assert.True(run.ExitCode == 0, output);
        return output;
    }

    [Fact]
    public void A_killed_training_resumes_to_the_same_weights_without_training_an_epoch_twice()
    {
        using var temp = new TempFolder();
        var data = Directory.CreateDirectory(Path.Combine(temp.Path, "data")).FullName;
        TinyData.Write(data);
        var cache = Path.Combine(temp.Path, "cache");
        var reference = Path.Combine(temp.Path, "reference");
        RunToEnd(Train(data, reference), cache);

        var resumed = Path.Combine(temp.Path, "resumed");
        var done = KillAfterFirstCheckpoint(Train(data, resumed), Path.Combine(resumed, "checkpoint.bin"), cache);
        Assert.InRange(done, 1, 3);
        var output = RunToEnd(Train(data, resumed), cache);
        Assert.Contains($"resuming after epoch {done}", output);
        Assert.Equal(TestTop1(reference), TestTop1(resumed));
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "model.bin")), File.ReadAllBytes(Path.Combine(resumed, "model.bin")));
        Assert.False(File.Exists(Path.Combine(resumed, "checkpoint.bin")));
    }

    [Fact]
    public void A_search_killed_in_its_final_training_resumes_to_the_same_model()
    {
        using var temp = new TempFolder();
        var data = Directory.CreateDirectory(Path.Combine(temp.Path, "data")).FullName;
        TinyData.Write(data);
        var cache = Path.Combine(temp.Path, "cache");
        string[] Search(string folder) =>
            ["search", "--preset", "smoke", "--data", data, "--out", folder, "--seed", "5", "--threads", "1", "--no-gpt", "--set", "final.epochs=4"];
        var reference = Path.Combine(temp.Path, "reference");
        RunToEnd(Search(reference), cache);

        var resumed = Path.Combine(temp.Path, "resumed");
        Assert.InRange(KillAfterFirstCheckpoint(Search(resumed), Path.Combine(resumed, "checkpoint.bin"), cache), 1, 3);
        RunToEnd(Search(resumed), cache);
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "model.bin")), File.ReadAllBytes(Path.Combine(resumed, "model.bin")));
        var input = JsonDocument.Parse(File.ReadAllText(Path.Combine(resumed, "input.json"))).RootElement;
        Assert.Equal(["0", "1", "2", "3"], input.GetProperty("class_names").EnumerateArray().Select(e => e.GetString()));
    }
}
