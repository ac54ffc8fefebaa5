using System.Text;
using TorchSharp;
using TorchSharp.Modules;

namespace GptNas.Training;

/// <summary>
/// A training's state after its last finished epoch, so that a killed training resumes there: the weights (BN
/// statistics included), the optimizer's state (SGD momentum), the lookahead's slow weights when it runs, the epochs done
/// with their metrics, and what the
/// training is (<c>identity</c>: its config and architecture), so that a different training never resumes from it.
/// The schedule's position and every random stream follow from the epoch alone: the learning rate is a function of
/// the epoch, and batch order, augmentation and dropout masks are drawn from streams derived from the seed and the
/// epoch (<see cref="Seeds"/>), so a resumed run on CPU trains exactly as one that never stopped.
/// Written atomically: a crash leaves the previous epoch's checkpoint or this one.
/// </summary>
public sealed class TrainingCheckpoint(string path, string identity)
{
    private const string Magic = "gptnas-training-checkpoint-1";

    public string Path { get; } = path;

    public bool Exists => File.Exists(Path);

    public void Save(torch.nn.Module model, OptimizerHelper optimizer, IReadOnlyList<EpochMetrics> history, Lookahead? lookahead = null)
    {
        Runs.AtomicFile.Write(Path, temporary =>
        {
            using var writer = new BinaryWriter(File.Create(temporary), Encoding.UTF8);
            writer.Write(Magic);
            writer.Write(identity);
            writer.Write(GptNasJson.Serialize(history.ToArray()));
            model.save(writer);
            MakeStateContiguous(optimizer);
            optimizer.save_state_dict(writer);
            lookahead?.Save(writer);
        });
    }

    /// <summary>
    /// TorchSharp writes only contiguous tensors, and SGD's momentum buffers take the channels-last layout of their
    /// gradients. They are made contiguous in place (same values, same identity); a resumed run reads them back
    /// contiguous, so both runs continue from the same state.
    /// </summary>
    private static void MakeStateContiguous(OptimizerHelper optimizer)
    {
        using var _ = torch.no_grad();
        foreach (var state in optimizer.state_dict().State.OfType<SGD.State>())
        {
            if (state.momentum_buffer is not { } buffer || buffer.is_contiguous()) continue;
            using var dense = buffer.contiguous();
            var result = buffer.set_(dense);
            if (!ReferenceEquals(result, buffer)) result.Dispose();
        }
    }

    /// <summary>Loads the checkpoint into <paramref name="model"/> and <paramref name="optimizer"/>; returns the epochs it had finished, or null when there is none.</summary>
    /// <exception cref="GptNasException">It belongs to another training, or it is damaged.</exception>
    public IReadOnlyList<EpochMetrics>? Restore(torch.nn.Module model, OptimizerHelper optimizer, Lookahead? lookahead = null)
    {
        if (!Exists) return null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(Path), Encoding.UTF8);
            if (reader.ReadString() != Magic) throw new GptNasException($"'{Path}' is not a gptnas training checkpoint");
            if (reader.ReadString() != identity)
                throw new GptNasException($"'{Path}' was written by a training with another architecture or config; delete it to start this one afresh");
            var history = GptNasJson.Deserialize<EpochMetrics[]>(reader.ReadString(), Path);
            model.load(reader);
            optimizer.load_state_dict(reader);
            lookahead?.Load(reader);
            return history;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidOperationException)
        {
            throw new GptNasException($"training checkpoint '{Path}' is damaged ({e.Message.Split('\n')[0]}); delete it to start afresh", e);
        }
    }

    /// <summary>The epochs the checkpoint holds, without loading it: 0 when there is none or it cannot be read.</summary>
    public int EpochsDone()
    {
        if (!Exists) return 0;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(Path), Encoding.UTF8);
            if (reader.ReadString() != Magic) return 0;
            reader.ReadString();
            return GptNasJson.Deserialize<EpochMetrics[]>(reader.ReadString(), Path).Length;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or GptNasException) { return 0; }
    }

    public void Delete() => File.Delete(Path);
}
