using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GptNas.Training;

/// <summary>
/// TorchSharp's SGD (<see cref="SGD"/>: the same update in the same order, the same state and checkpoint format)
/// with its Scalars held until the libtorch calls that read them have returned. TorchSharp's step passes the learning
/// rate, momentum and weight decay as implicit Scalars and leaves them to the finalizer, which a collection started by
/// another thread can run while libtorch still reads them (see <see cref="Networks.SafeBatchNorm2d"/>).
/// </summary>
public sealed class SafeSgd : SGD
{
    public SafeSgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double weightDecay = 0, bool nesterov = false)
        : base(parameters, lr, momentum, dampening: 0, weight_decay: weightDecay, nesterov: nesterov) { }

    /// <summary>Groups with rates and decays of their own; the other arguments are the defaults a group without them takes.</summary>
    public SafeSgd(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double weightDecay = 0, bool nesterov = false)
        : base(groups, lr, momentum, dampening: 0, weight_decay: weightDecay, nesterov: nesterov) { }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        var lr = options.LearningRate!.Value;
        var momentumValue = options.momentum!.Value;
        var decayValue = options.weight_decay!.Value;
        using var decayBy = decayValue.ToScalar();
        using var momentumBy = momentumValue.ToScalar();
        using var gradientBy = (1 - options.dampening!.Value).ToScalar();
        using var stepBy = (options.maximize!.Value ? lr : -lr).ToScalar();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            // A parameter frozen during the fit (the whitening bias) keeps its value, as PyTorch's SGD skips a gradient set to None.
            if (grad is null || !param.requires_grad) continue;
            if (decayValue != 0) grad = grad.add(param, decayBy);
            if (momentumValue != 0)
            {
                var buffer = state.momentum_buffer;
                if (buffer is null) buffer = grad.clone().detach().DetachFromDisposeScope();
                else buffer.mul_(momentumBy).add_(grad, gradientBy);
                state.momentum_buffer = buffer;
                grad = options.nesterov!.Value ? grad.add(buffer, momentumBy) : buffer;
            }
            param.add_(grad, stepBy);
        }
    }, closure);
}
