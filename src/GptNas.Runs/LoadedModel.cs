using GptNas.Architectures;
using GptNas.Data;
using GptNas.Networks;
using GptNas.Training;

namespace GptNas.Runs;

/// <summary>
/// A trained model read back from its folder (a <c>gptnas train</c> output or a search run): its architecture, the
/// network with its weights, in eval mode, and its <see cref="ModelInput"/>.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    public RunFolder Folder { get; }
    public Architecture Architecture => Network.Architecture;
    public Network Network { get; }
    public ModelInput Input { get; }

    private LoadedModel(RunFolder folder, Network network, ModelInput input) => (Folder, Network, Input) = (folder, network, input);

    /// <exception cref="GptNasException">No model in the folder, weights that do not fit the architecture, or a model input record that does not fit it.</exception>
    public static LoadedModel Open(string path, Action<string>? log = null)
    {
        var folder = new RunFolder(path);
        var (architecture, weights) = folder.ReadTrainedModel();
        var input = folder.ReadModelInput() ?? Recompute(folder, log);
        if (input.Shape != architecture.Input || input.ClassNames.Length != architecture.Classes)
            throw new GptNasException($"'{folder.ModelInputFile}' describes {input.Shape} images and {input.ClassNames.Length} classes, but the architecture takes " +
                                      $"{architecture.Input} and has {architecture.Classes} classes");
        var network = NetworkBuilder.Build(architecture, new Seeds(0));
        try { Checkpoint.LoadWeights(network, weights); }
        catch { network.Dispose(); throw; }
        network.eval();
        return new LoadedModel(folder, network, input);
    }

    /// <summary>Folders written before <c>input.json</c> existed: the normalization and classes from the data named in config.json.</summary>
    private static ModelInput Recompute(RunFolder folder, Action<string>? log)
    {
        var (data, validation, seed) = folder.ReadTrainingData()
            ?? throw new GptNasException($"'{folder.Path}' has neither input.json nor config.json: its normalization and class names are unknown");
        log?.Invoke($"{folder.ModelInputFile} is missing; recomputing the normalization from {data}");
        return TrainingRun.InputOf(DataCatalog.Load(data, new DataOptions { ValidationFraction = validation, SplitSeed = seed }), data);
    }

    public void Dispose() => Network.Dispose();
}
