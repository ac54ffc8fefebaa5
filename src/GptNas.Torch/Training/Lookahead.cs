using static TorchSharp.torch;

namespace GptNas.Training;

/// <summary>
/// airbench's lookahead (<see cref="TrainingConfig.Lookahead"/>): a slow copy of the model's float state (weights and
/// BatchNorm statistics) that every <see cref="Period"/> steps moves towards the live weights, which are then reset to it;
/// its decay grows as 0.95^5 times the cube of the fraction of training done, so early steps follow the live weights and
/// late ones are averaged. At the end of the fit the model takes the slow copy.
/// </summary>
public sealed class Lookahead : IDisposable
{
    /// <summary>Optimizer steps between updates.</summary>
    public const int Period = 5;
    private static readonly double FinalDecay = Math.Pow(0.95, Period);

    private readonly List<(Tensor Live, Tensor Slow)> _pairs;

    public Lookahead(nn.Module model)
    {
        using var _ = no_grad();
        _pairs = model.parameters().Select(p => (Tensor)p).Concat(model.buffers())
            .Where(t => t.dtype == float32).Select(live => (live, live.detach().clone())).ToList();
    }

    /// <summary>After optimizer step <paramref name="step"/> of an epoch (0-based), at <paramref name="progress"/> (0 to 1) of the training.</summary>
    public void AfterStep(int step, double progress)
    {
        if ((step + 1) % Period != 0) return;
        var decay = FinalDecay * Math.Pow(progress, 3);
        using var _ = no_grad();
        // An explicit tensor, disposed after the loop: the implicit one would be left to the finalizer, which could free
        // it while lerp_ reads it (SafeSgd).
        using var weight = tensor(1 - decay);
        foreach (var (live, slow) in _pairs)
        {
            slow.lerp_(live, weight);
            live.copy_(slow);
        }
    }

    /// <summary>The model takes the slow weights.</summary>
    public void Finish()
    {
        using var _ = no_grad();
        foreach (var (live, slow) in _pairs) live.copy_(slow);
    }

    /// <summary>The slow copy as raw float32 values, for a training checkpoint.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(_pairs.Count);
        foreach (var (_, slow) in _pairs)
        {
            var values = slow.contiguous().data<float>().ToArray();
            writer.Write(values.Length);
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        }
    }

    public void Load(BinaryReader reader)
    {
        if (reader.ReadInt32() != _pairs.Count) throw new InvalidOperationException("the checkpoint's lookahead state has another number of tensors");
        using var _ = no_grad();
        foreach (var (_, slow) in _pairs)
        {
            var length = reader.ReadInt32();
            if (length != slow.numel()) throw new InvalidOperationException("the checkpoint's lookahead state has another shape");
            var values = new float[length];
            reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
            using var loaded = tensor(values).view(slow.shape);
            slow.copy_(loaded);
        }
    }

    public void Dispose()
    {
        foreach (var (_, slow) in _pairs) slow.Dispose();
    }
}
