using System.Diagnostics;
using GptNas.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GptNas.Gpt;

/// <summary>
/// Trains a <see cref="GptModel"/> on next-token prediction (GPT-NAS §4): every sequence gets &lt;bos&gt;
/// in front, windows of up to <see cref="GptConfig.Context"/> tokens slide over it with stride 1, and the
/// loss is the cross-entropy of every position of every window. The optimizer lives as long as the
/// trainer, so <see cref="Fit"/> can continue and <see cref="Save"/> can store its state.
/// </summary>
/// <remarks>
/// Reproducible: epoch e shuffles windows with <c>Seeds(seed).Child("epoch/e").Random("order")</c> and seeds
/// dropout from the same child (<see cref="TorchRuntime.SeedDropout"/>), so the same seed gives the same losses,
/// and a run saved and resumed at an epoch boundary equals one that never stopped.
/// </remarks>
public sealed class GptTrainer : IDisposable
{
    private readonly GptTrainingConfig _config;
    private readonly Device _device;
    private readonly optim.Optimizer _optimizer;
    private readonly IReadOnlyList<TorchSharp.Modules.Parameter> _parameters;

    /// <summary>The model being trained.</summary>
    public GptModel Model { get; }

    /// <summary>Optimizer steps taken, over all fits and resumes.</summary>
    public long Step { get; private set; }

    /// <summary>Epochs finished, over all fits and resumes.</summary>
    public int CompletedEpochs { get; private set; }

    public GptTrainer(GptModel model, GptTrainingConfig config, Device? device = null)
    {
        _config = config.Validate();
        _device = device ?? CPU;
        Model = model;
        model.to(_device);
        _parameters = model.parameters().ToList();
        _optimizer = config.Optimizer == GptOptimizer.AdamW
            ? new SafeAdam.AdamW(_parameters, config.LearningRate, config.WeightDecay)
            : new SafeAdam.Adam(_parameters, config.LearningRate, config.WeightDecay);
    }

    /// <summary>Trains from <see cref="CompletedEpochs"/> up to the configured number of epochs.</summary>
    /// <param name="sequences">Token-id sequences without &lt;bos&gt; (it is added here).</param>
    /// <param name="validation">Held-out sequences evaluated after each epoch, if given.</param>
    /// <returns>The epochs run by this call.</returns>
    public IReadOnlyList<GptEpoch> Fit(IReadOnlyList<int[]> sequences, IReadOnlyList<int[]>? validation = null,
        IProgress<GptEpoch>? progress = null, CancellationToken cancellation = default)
    {
        var prefixed = GptTokens.Prefixed(sequences, Model.VocabularySize);
        var windows = TokenWindow.Slide(prefixed, Model.Config.Context, evaluation: false);
        if (windows.Count == 0) throw new GptNasException("the GPT training corpus has no token to predict; give it at least one non-empty sequence");
        var epochs = new List<GptEpoch>();
        while (CompletedEpochs < _config.Epochs)
        {
            var epoch = TrainEpoch(prefixed, windows, cancellation);
            if (validation is not null) epoch = epoch with { Validation = Evaluate(validation) };
            epochs.Add(epoch);
            progress?.Report(epoch);
        }
        TorchRuntime.ReleaseFreeMemory();
        return epochs;
    }

    private GptEpoch TrainEpoch(int[][] prefixed, IReadOnlyList<TokenWindow> windows, CancellationToken cancellation)
    {
        var epochIndex = CompletedEpochs;
        var epochSeeds = new Seeds(_config.Seed).Child($"epoch/{epochIndex}");
        var order = windows.ToArray(); // shuffled from the canonical order every epoch, so a resumed run sees the same batches
        epochSeeds.Random("order").Shuffle(order);
        TorchRuntime.SeedDropout(epochSeeds);
        Model.train();
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long targets = 0, tokens = 0;
        var steps = 0;
        for (var from = 0; from < order.Length; from += _config.BatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            var count = Math.Min(_config.BatchSize, order.Length - from);
            var batch = TokenWindow.Batch(prefixed, order, from, count);
            var loss = TrainStep(batch.Inputs, batch.Targets, count, batch.Time);
            if (!double.IsFinite(loss))
                throw new GptNasException($"the GPT's training loss became {loss} at epoch {epochIndex + 1}, step {steps + 1}; lower gpt.learning_rate");
            lossSum += loss * batch.Tokens; // every input token has a target in training windows
            targets += batch.Tokens;
            tokens += batch.Tokens;
            steps++;
            Step++;
            TorchRuntime.CollectStepGarbage(); // peak RSS 489 -> 300 MB on bench/TrainBench --case gpt
        }
        CompletedEpochs++;
        return new GptEpoch(CompletedEpochs, lossSum / targets, steps, tokens, clock.Elapsed.TotalSeconds, null);
    }

    private double TrainStep(long[] inputs, long[] targets, int count, int time)
    {
        using var scope = NewDisposeScope();
        var x = ToDevice(tensor(inputs, [count, time])); // (B, T)
        var y = ToDevice(tensor(targets, [count * time])); // (B*T)
        var logits = Model.call(x); // (B, T, V)
        var loss = F.cross_entropy(logits.view(-1, Model.VocabularySize), y, ignore_index: GptTokens.Ignore);
        _optimizer.zero_grad();
        loss.backward();
        if (_config.GradientClip > 0) nn.utils.clip_grad_norm_(_parameters, _config.GradientClip);
        _optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Next-token top-1 accuracy and perplexity of the trained model over held-out sequences.</summary>
    public NextTokenEvaluation Evaluate(IReadOnlyList<int[]> sequences) => Evaluate(Model, sequences, _config.BatchSize);

    /// <summary>
    /// Next-token top-1 accuracy and perplexity of <paramref name="model"/> over every position of
    /// <paramref name="sequences"/> (each given &lt;bos&gt; in front), in eval mode without autograd.
    /// </summary>
    public static NextTokenEvaluation Evaluate(GptModel model, IReadOnlyList<int[]> sequences, int batchSize = 128)
    {
        var device = model.Device;
        var prefixed = GptTokens.Prefixed(sequences, model.VocabularySize);
        var windows = TokenWindow.Slide(prefixed, model.Config.Context, evaluation: true);
        var wasTraining = model.training;
        model.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        long hits = 0, positions = 0;
        for (var from = 0; from < windows.Count; from += batchSize)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(batchSize, windows.Count - from);
            var batch = TokenWindow.Batch(prefixed, windows, from, count);
            var x = tensor(batch.Inputs, [count, batch.Time]); // (B, T)
            var y = tensor(batch.Targets, [count * batch.Time]); // (B*T)
            if (device.type != DeviceType.CPU) { x = x.to(device); y = y.to(device); }
            var logits = model.call(x).view(-1, model.VocabularySize); // (B*T, V)
            var scored = y.ne(GptTokens.Ignore);
            lossSum += F.cross_entropy(logits, y, ignore_index: GptTokens.Ignore, reduction: nn.Reduction.Sum).item<float>();
            hits += logits.argmax(1).eq(y).logical_and(scored).sum().item<long>();
            positions += scored.sum().item<long>();
        }
        if (wasTraining) model.train();
        if (positions == 0) return new NextTokenEvaluation(0, double.NaN, double.NaN, 0);
        var loss = lossSum / positions;
        return new NextTokenEvaluation((double)hits / positions, Math.Exp(loss), loss, positions);
    }

    /// <summary>Writes weights, optimizer state, step, epochs, config and the vocabulary's size and hash.</summary>
    public void Save(string path, string vocabularyHash) =>
        GptCheckpoint.Save(path, Model, vocabularyHash, Step, CompletedEpochs, _optimizer);

    /// <summary>
    /// A trainer that continues from a checkpoint written by <see cref="Save"/>: same weights, optimizer
    /// state, step and epoch count; the learning rate and other settings come from <paramref name="config"/>.
    /// </summary>
    public static GptTrainer Resume(string path, int vocabularySize, string vocabularyHash, GptTrainingConfig config,
        GptConfig? expectedConfig = null, Device? device = null)
    {
        var info = GptCheckpoint.ReadInfo(path);
        var model = GptCheckpoint.Load(path, vocabularySize, vocabularyHash, expectedConfig);
        var trainer = new GptTrainer(model, config, device);
        GptCheckpoint.LoadOptimizer(path, info, trainer._optimizer);
        foreach (var group in trainer._optimizer.ParamGroups) group.LearningRate = config.LearningRate;
        trainer.Step = info.Step;
        trainer.CompletedEpochs = info.Epochs;
        return trainer;
    }

    public void Dispose() => _optimizer.Dispose();

    private Tensor ToDevice(Tensor t) => _device.type == DeviceType.CPU ? t : t.to(_device);
}
