using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GptNas.Training;

/// <summary>
/// Trains one network with SGD (momentum, weight decay) under a learning-rate schedule (GPT-NAS §7), and
/// evaluates top-1 / top-5. Every batch runs inside its own dispose scope, so no tensor outlives its step.
/// </summary>
public sealed class Trainer(TrainingConfig config, Device? device = null)
{
    private readonly Device _device = device ?? CPU;

    /// <param name="trainable">Parameters to optimize; all of the model's by default. GPT-NAS's proxy
    /// acceleration trains only some blocks, or only BatchNorm.</param>
    /// <param name="checkpoint">Where the state after each epoch is saved; when it holds one, the fit resumes after its
    /// last epoch (no epoch is trained twice) and ends as an uninterrupted fit would.</param>
    public TrainingResult Fit(nn.Module<Tensor, Tensor> model, IBatchSource train, IBatchSource? validation = null,
        IBatchSource? test = null, IEnumerable<Parameter>? trainable = null, IProgress<TrainingProgress>? progress = null,
        TrainingCheckpoint? checkpoint = null, CancellationToken cancellation = default)
    {
        model.to(_device);
        ApplyBatchNormSettings(model);
        // A resumed fit gets its trained weights back from the checkpoint below.
        if (config.DiracInit) DiracInitialization.Apply(model, new Seeds(config.Seed));
        // Before the trainable list is taken; a resumed fit gets the whitened weights back from its checkpoint.
        if (config.Whiten) PatchWhitening.Apply(model, train, fill: checkpoint is null || checkpoint.EpochsDone() == 0);
        var parameters = (trainable ?? model.parameters()).Where(p => p.requires_grad).ToList();
        if (parameters.Count == 0) throw new TrainingException("nothing to train: the model has no trainable parameters");
        // Trained for its first epochs, then frozen by TrainEpoch.
        var whiteningBias = config.Whiten ? PatchWhitening.Convolution(model).bias : null;
        var groups = ParameterGroups(model, parameters);
        var nesterov = config.Nesterov && config.Momentum > 0;
        using var optimizer = groups.Count == 1
            ? new SafeSgd(parameters, config.LearningRate, config.Momentum, config.WeightDecay, nesterov)
            : new SafeSgd(groups.Select(g => new SGD.ParamGroup(g.Parameters, config.LearningRate * g.Scale, config.Momentum, 0, config.WeightDecay / g.Scale, nesterov)),
                          config.LearningRate, config.Momentum, config.WeightDecay, nesterov);
        var scales = groups.Select(g => g.Scale).ToArray();
        using var lookahead = config.Lookahead ? new Lookahead(model) : null;
        var history = checkpoint?.Restore(model, optimizer, lookahead)?.ToList() ?? [];
        using var layout = config.ChannelsLast ? new ChannelsLastWeights(model) : null;
        using var narrow = new NarrowConvolutionGuard(model);
        var schedule = config.LearningRateSchedule;
        var total = Stopwatch.StartNew();
        var earlier = history.Sum(h => h.Seconds);
        for (var epoch = history.Count; epoch < config.Epochs; epoch++)
        {
            whiteningBias?.requires_grad_(epoch < config.WhitenBiasEpochs);
            var metrics = TrainEpoch(model, train, optimizer, scales, schedule, epoch, lookahead, progress, cancellation);
            if (lookahead is not null && epoch == config.Epochs - 1) lookahead.Finish();
            if (validation is not null)
            {
                var evaluation = Evaluate(model, validation);
                metrics = metrics with { ValidationTop1 = evaluation.Top1, ValidationLoss = evaluation.Loss };
            }
            history.Add(metrics);
            progress?.Report(new TrainingProgress(epoch + 1, config.Epochs, train.Count, train.Count, metrics.TrainLoss, metrics.TrainAccuracy, metrics.ImagesPerSecond, metrics));
            if (checkpoint is not null)
            {
                // TorchSharp writes only contiguous tensors.
                layout?.Restore();
                checkpoint.Save(model, optimizer, history, lookahead);
                layout?.Apply();
            }
        }
        var testResult = test is null ? null : Evaluate(model, test, flip: config.TestTimeFlip, translate: config.TestTimeTranslate);
        TorchRuntime.ReleaseFreeMemory();
        return new TrainingResult(history, testResult, earlier + total.Elapsed.TotalSeconds);
    }

    /// <summary>The config's BatchNorm settings on every BatchNorm layer; frozen scales leave the trainable parameters.</summary>
    private void ApplyBatchNormSettings(nn.Module model)
    {
        foreach (var norm in model.modules().OfType<BatchNorm>())
        {
            if (config.BatchNormMomentum > 0) norm.momentum = config.BatchNormMomentum;
            if (config.BatchNormEps > 0) norm.eps = config.BatchNormEps;
            if (config.BatchNormFrozenScale) norm.weight?.requires_grad_(false);
        }
    }

    /// <summary>
    /// The parameters by learning-rate factor: the BatchNorm shifts at <see cref="TrainingConfig.BatchNormBiasLrScale"/>, the
    /// classifier (a <see cref="Networks.Network"/>'s <c>fc</c>) at <see cref="TrainingConfig.ClassifierLrScale"/>, the rest at
    /// 1. One group when every factor is 1, so a plain recipe trains as it always has.
    /// </summary>
    private List<(List<Parameter> Parameters, double Scale)> ParameterGroups(nn.Module model, List<Parameter> parameters)
    {
        if (config.BatchNormBiasLrScale == 1 && config.ClassifierLrScale == 1) return [(parameters, 1)];
        var scaleOf = new Dictionary<IntPtr, double>();
        if (config.BatchNormBiasLrScale != 1)
            foreach (var norm in model.modules().OfType<BatchNorm>())
                if (norm.bias is { } bias) scaleOf[bias.Handle] = config.BatchNormBiasLrScale;
        if (config.ClassifierLrScale != 1)
            foreach (var (name, parameter) in model.named_parameters())
                if (name.StartsWith("fc.", StringComparison.Ordinal)) scaleOf[parameter.Handle] = config.ClassifierLrScale;
        return parameters.GroupBy(p => scaleOf.GetValueOrDefault(p.Handle, 1.0))
            .OrderBy(g => g.Key).Select(g => (g.ToList(), g.Key)).ToList();
    }

    private EpochMetrics TrainEpoch(nn.Module<Tensor, Tensor> model, IBatchSource train, optim.Optimizer optimizer, double[] scales,
        LearningRateSchedule schedule, int epoch, Lookahead? lookahead, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        TorchRuntime.SeedDropout(new Seeds(config.Seed).Child($"epoch/{epoch}"));
        model.train();
        var clock = Stopwatch.StartNew();
        double lossSum = 0, rate = 0;
        long correct = 0, seen = 0;
        var step = 0;
        foreach (var batch in train.Epoch(epoch))
        {
            cancellation.ThrowIfCancellationRequested();
            rate = schedule.RateAt(epoch + (double)seen / train.Count, config.Epochs);
            foreach (var (group, scale) in optimizer.ParamGroups.Zip(scales)) group.LearningRate = rate * scale;
            using (NewDisposeScope())
            {
                var (images, labels) = ToTensors(batch, train);
                Tensor logits, loss;
                using (Autocast())
                {
                    logits = model.forward(images);
                    loss = nn.functional.cross_entropy(logits, labels, label_smoothing: config.LabelSmoothing);
                }
                var value = loss.to(float32).item<float>();
                if (!float.IsFinite(value))
                    throw new TrainingException($"the training loss became {value} at epoch {epoch + 1}, step {step + 1}; lower the learning rate or check the data");
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                lossSum += value * batch.Count;
                correct += logits.argmax(1).eq(labels).sum().item<long>();
            }
            seen += batch.Count;
            lookahead?.AfterStep(step, (epoch + (double)seen / train.Count) / config.Epochs);
            step++;
            TorchRuntime.CollectStepGarbage();
            progress?.Report(new TrainingProgress(epoch + 1, config.Epochs, (int)seen, train.Count, lossSum / seen, (double)correct / seen, seen / clock.Elapsed.TotalSeconds));
        }
        if (seen == 0) throw new TrainingException("the training split gave no batch; use a smaller batch size or more data");
        var seconds = clock.Elapsed.TotalSeconds;
        return new EpochMetrics(epoch + 1, lossSum / seen, (double)correct / seen, null, null, rate, seconds, seen / seconds);
    }

    /// <summary>Top-1, top-5 and mean cross-entropy over one pass, in eval mode and without autograd.</summary>
    /// <param name="confusion">When given, every image's (true class, top-1 class) is counted into it.</param>
    /// <param name="flip">Test-time augmentation: also score each image by the mean of its logits and its mirror image's.</param>
    /// <param name="translate">Test-time augmentation: also score each image shifted by this many pixels (<see cref="TrainingConfig.TestTimeTranslate"/>).</param>
    public Evaluation Evaluate(nn.Module<Tensor, Tensor> model, IBatchSource data, ConfusionMatrix? confusion = null, bool flip = false, int translate = 0)
    {
        var augment = flip || translate > 0;
        model.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        long top1 = 0, top5 = 0, seen = 0, augmentedTop1 = 0;
        var k = Math.Min(5, data.Classes);
        foreach (var batch in data.Epoch(0))
        {
            using var scope = NewDisposeScope();
            var (images, labels) = ToTensors(batch, data);
            Tensor logits;
            using (Autocast()) logits = model.forward(images);
            lossSum += nn.functional.cross_entropy(logits.to(float32), labels).item<float>() * batch.Count;
            var best = logits.topk(k, 1).indexes;
            var hits = best.eq(labels.unsqueeze(1));
            top1 += hits[.., 0].sum().item<long>();
            top5 += hits.any(1).sum().item<long>();
            if (augment) augmentedTop1 += AugmentedLogits(model, images, logits, flip, translate).argmax(1).eq(labels).sum().item<long>();
            if (confusion is not null)
            {
                var predicted = best[.., 0].data<long>().ToArray();
                for (var i = 0; i < batch.Count; i++) confusion.Add((int)batch.Labels[i], (int)predicted[i]);
            }
            seen += batch.Count;
        }
        model.train();
        if (seen == 0) return new Evaluation(0, 0, double.NaN, 0);
        return new Evaluation((double)top1 / seen, (double)top5 / seen, lossSum / seen, (int)seen, augment ? (double)augmentedTop1 / seen : null);
    }

    /// <summary>The bf16 autocast region of <see cref="TrainingConfig.Bf16Autocast"/>, or nothing.</summary>
    private IDisposable? Autocast() => config.Bf16Autocast && _device.type == DeviceType.CPU ? TorchRuntime.AutocastBFloat16() : null;

    /// <summary>
    /// The batch as tensors, copied once from the host arrays into tensor-owned memory (torch.tensor(array)
    /// would clone the array into a pinned managed copy). Channels-last: written NHWC and viewed as NCHW.
    /// </summary>
    /// <summary>
    /// airbench's test-time augmentation: a view's logits are the mean over the image and its mirror image (with
    /// <paramref name="flip"/>); with <paramref name="translate"/>, half the weight goes to the image's view and a quarter
    /// to each of its two shifts (reflect padding, cropped up-left and down-right).
    /// </summary>
    private Tensor AugmentedLogits(nn.Module<Tensor, Tensor> model, Tensor images, Tensor logits, bool flip, int translate)
    {
        Tensor Forward(Tensor x)
        {
            using (Autocast()) return model.forward(x).to(float32);
        }
        Tensor View(Tensor x, Tensor? known = null) => flip ? 0.5 * ((known ?? Forward(x)) + Forward(x.flip(3))) : known ?? Forward(x);
        var plain = View(images, logits.to(float32));
        if (translate == 0) return plain;
        var (h, w) = (images.shape[2], images.shape[3]);
        var padded = nn.functional.pad(images, [translate, translate, translate, translate], PaddingModes.Reflect);
        var upLeft = padded[.., .., ..(int)h, ..(int)w];
        var downRight = padded[.., .., (2 * translate)..(int)(h + 2 * translate), (2 * translate)..(int)(w + 2 * translate)];
        return 0.5 * plain + 0.25 * (View(upLeft) + View(downRight));
    }

    private (Tensor Images, Tensor Labels) ToTensors(HostBatch batch, IBatchSource source)
    {
        var (n, c, h, w) = (batch.Count, source.ImageShape.Channels, source.ImageShape.Height, source.ImageShape.Width);
        var pixels = batch.Images.AsSpan(0, n * c * h * w);
        Tensor images;
        if (config.ChannelsLast && c > 1)
        {
            using var nhwc = empty([n, h, w, c]); // (N, H, W, C)
            var target = MemoryMarshal.Cast<byte, float>(nhwc.bytes);
            for (var i = 0; i < n; i++)
                for (var channel = 0; channel < c; channel++)
                {
                    var plane = pixels.Slice((i * c + channel) * h * w, h * w);
                    for (int p = 0, to = i * h * w * c + channel; p < plane.Length; p++, to += c) target[to] = plane[p];
                }
            images = nhwc.permute(0, 3, 1, 2); // (N, C, H, W) with channels-last strides
        }
        else
        {
            // One channel: NCHW and NHWC are the same bytes; the first conv's channels-last weight sets the layout.
            images = empty([n, c, h, w]);
            pixels.CopyTo(MemoryMarshal.Cast<byte, float>(images.bytes));
        }
        var labels = empty([n], int64);
        batch.Labels.AsSpan(0, n).CopyTo(MemoryMarshal.Cast<byte, long>(labels.bytes));
        return _device.type == DeviceType.CPU ? (images, labels) : (images.to(_device), labels.to(_device));
    }

    /// <summary>
    /// Lays the model's 4-d weights out channels-last for the length of a fit and back afterwards (and around
    /// checkpoints), so saving, evaluation elsewhere and callers see the usual layout. Values are
    /// untouched; <c>set_</c> keeps each parameter's identity, so the optimizer and callers' references stay valid.
    /// </summary>
    private sealed class ChannelsLastWeights : IDisposable
    {
        private readonly List<Tensor> _weights;

        public ChannelsLastWeights(nn.Module model)
        {
            _weights = model.parameters().Where(p => p.dim() == 4).Select(p => (Tensor)p).ToList();
            Apply();
        }

        public void Apply()
        {
            using var _ = no_grad();
            foreach (var weight in _weights)
            {
                // Every view is disposed: an undisposed one would keep the old storage alive until the GC runs.
                using var permuted = weight.permute(0, 2, 3, 1);          // (O, kH, kW, I), a view
                using var nhwc = permuted.contiguous();
                using var view = nhwc.permute(0, 3, 1, 2);                // (O, I, kH, kW), channels-last strides
                Set(weight, view);
            }
        }

        public void Restore()
        {
            using var _ = no_grad();
            foreach (var weight in _weights)
            {
                using var dense = weight.contiguous();
                Set(weight, dense);
            }
        }

        public void Dispose() => Restore();

        /// <summary><c>set_</c> returns a second handle on the parameter; left to the GC it would keep the
        /// parameter, its gradient and its storage alive after the model is disposed.</summary>
        private static void Set(Tensor weight, Tensor source)
        {
            var result = weight.set_(source);
            if (!ReferenceEquals(result, weight)) result.Dispose();
        }
    }
}
