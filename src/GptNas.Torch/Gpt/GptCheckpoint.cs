using TorchSharp;
using TorchSharp.Modules;

namespace GptNas.Gpt;

/// <summary>What a GPT checkpoint's manifest records.</summary>
/// <param name="Kind">Always "GPT" (the block classifier writes its own kind).</param>
/// <param name="Format">Layout version, for future readers.</param>
/// <param name="Config">The config that shaped the weights.</param>
/// <param name="VocabularySize">Token ids the model knows.</param>
/// <param name="VocabularyHash">The caller's hash of the vocabulary the ids come from.</param>
/// <param name="Step">Optimizer steps taken.</param>
/// <param name="Epochs">Epochs finished.</param>
/// <param name="WeightsSha256">Checksum of weights.bin.</param>
/// <param name="Optimizer">The optimizer's TorchSharp type name ("Adam", "AdamW"), or null when no state was saved.</param>
/// <param name="OptimizerSha256">Checksum of optimizer.bin, or null.</param>
public sealed record GptCheckpointInfo(string Kind, int Format, GptConfig Config, int VocabularySize, string VocabularyHash,
    long Step, int Epochs, string WeightsSha256, string? Optimizer, string? OptimizerSha256);

/// <summary>
/// A GPT checkpoint: a folder with <c>manifest.json</c> (<see cref="GptCheckpointInfo"/>), <c>weights.bin</c>
/// (the module in TorchSharp's format) and, when training state was saved, <c>optimizer.bin</c> (TorchSharp's
/// own optimizer state format: Adam's moments and step count per parameter). Loading refuses a damaged folder,
/// another vocabulary, or a config that shapes the weights differently, each with a <see cref="GptNasException"/>.
/// </summary>
public static class GptCheckpoint
{
    internal const string Kind = "GPT";
    private const int Format = 1;

    /// <summary>Writes a checkpoint folder, replacing any at <paramref name="path"/>.</summary>
    /// <param name="optimizer">An optimizer over exactly the model's parameters, or null for weights only.</param>
    public static void Save(string path, GptModel model, string vocabularyHash, long step = 0, int epochs = 0, torch.optim.Optimizer? optimizer = null)
    {
        if (optimizer is not null and not OptimizerHelper)
            throw new ArgumentException($"the {optimizer.GetType().Name} optimizer cannot save its state in TorchSharp; use Adam or AdamW", nameof(optimizer));
        CheckpointFolder.Write(path, folder =>
        {
            var weights = Path.Combine(folder, CheckpointFolder.WeightsFile);
            model.save(weights);
            string? optimizerHash = null;
            if (optimizer is OptimizerHelper helper)
            {
                var state = Path.Combine(folder, CheckpointFolder.OptimizerFile);
                helper.save_state_dict(state);
                optimizerHash = CheckpointFolder.Hash(state);
            }
            CheckpointFolder.WriteManifest(folder, new GptCheckpointInfo(Kind, Format, model.Config, model.VocabularySize, vocabularyHash,
                step, epochs, CheckpointFolder.Hash(weights), optimizer?.GetType().Name, optimizerHash));
        });
    }

    /// <summary>The manifest alone; refuses a missing or damaged one.</summary>
    public static GptCheckpointInfo ReadInfo(string path)
    {
        var info = CheckpointFolder.ReadManifest<GptCheckpointInfo>(path, Kind, m => m.Kind);
        if (info.Format != Format) throw CheckpointFolder.Damaged(path, Kind, $"its format {info.Format} is not {Format}, the one this version reads");
        if (info.Config is null || info.VocabularyHash is null) throw CheckpointFolder.Damaged(path, Kind, $"{CheckpointFolder.ManifestFile} lacks the config or the vocabulary");
        try { info.Config.Validate(); }
        catch (GptNasException e) { throw CheckpointFolder.Damaged(path, Kind, $"its config is impossible ({e.Message})"); }
        return info;
    }

    /// <summary>
    /// Builds the checkpoint's model and loads its weights, after checking that the caller's vocabulary is
    /// the one it was trained on and, when <paramref name="expectedConfig"/> is given, that it shapes the
    /// weights the same way (its dropout is then used).
    /// </summary>
    public static GptModel Load(string path, int vocabularySize, string vocabularyHash, GptConfig? expectedConfig = null)
    {
        var info = ReadInfo(path);
        CheckpointFolder.CheckVocabulary(path, Kind, info.VocabularySize, info.VocabularyHash, vocabularySize, vocabularyHash);
        if (expectedConfig is not null)
        {
            var differences = info.Config.WeightDifferences(expectedConfig);
            if (differences.Count > 0)
                throw new GptNasException(
                    $"GPT checkpoint '{path}' has another shape than the config asks for ({string.Join(", ", differences)}; checkpoint vs config); " +
                    "load it with the checkpoint's config or train a new GPT");
        }
        var model = new GptModel(expectedConfig ?? info.Config, info.VocabularySize);
        CheckpointFolder.LoadWeights(model, path, Kind, info.WeightsSha256);
        return model;
    }

    /// <summary>Restores optimizer state saved with the checkpoint into an optimizer over the loaded model's parameters.</summary>
    internal static void LoadOptimizer(string path, GptCheckpointInfo info, torch.optim.Optimizer optimizer)
    {
        if (info.Optimizer is null) return; // weights-only checkpoint: the optimizer starts fresh
        if (optimizer is not OptimizerHelper helper || info.Optimizer != optimizer.GetType().Name)
            throw new GptNasException($"GPT checkpoint '{path}' holds {info.Optimizer} state but training uses {optimizer.GetType().Name}; set gpt.optimizer to {info.Optimizer} to resume");
        var file = CheckpointFolder.Verified(path, Kind, CheckpointFolder.OptimizerFile, info.OptimizerSha256);
        try { helper.load_state_dict(file); }
        catch (Exception e) when (e is not GptNasException)
        {
            throw CheckpointFolder.Damaged(path, Kind, $"{CheckpointFolder.OptimizerFile} does not fit the model ({CheckpointFolder.FirstLine(e)})");
        }
    }
}
