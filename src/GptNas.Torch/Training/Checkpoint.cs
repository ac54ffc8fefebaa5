using TorchSharp;

namespace GptNas.Training;

/// <summary>Weights on disk in TorchSharp's format, written atomically so a crash never leaves half a file.</summary>
public static class Checkpoint
{
    public static void SaveWeights(torch.nn.Module model, string path) => Runs.AtomicFile.Write(path, temporary => model.save(temporary));

    public static void LoadWeights(torch.nn.Module model, string path)
    {
        if (!File.Exists(path)) throw new GptNasException($"weights file '{path}' does not exist");
        try { model.load(path); }
        catch (Exception e) when (e is not GptNasException)
        {
            throw new GptNasException($"weights file '{path}' does not fit this architecture or is damaged ({e.Message.Split('\n')[0]})");
        }
    }
}
