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
