using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GptNas.Training;

/// <summary>
/// TorchSharp's Adam and AdamW (the same update in the same order, the same state and state files) with their Scalars held
/// until the libtorch calls that read them have returned, as <see cref="SafeSgd"/> holds SGD's. TorchSharp's step leaves the
/// betas, epsilon and step size to the finalizer, which a collection started by another thread can run while libtorch still
/// reads them (seen as "Expected false to be true" from <c>Scalar::toDouble</c> while a prior trained).
/// </summary>
/// <remarks>The classes keep TorchSharp's names because its state files record the optimizer's type name and refuse another:
/// the shipped priors' optimizer states load into them.</remarks>
public static class SafeAdam
{
    /// <summary>TorchSharp's <see cref="TorchSharp.Modules.Adam"/>, L2 weight decay folded into the gradient.</summary>
    public sealed class Adam(IEnumerable<Parameter> parameters, double lr, double weightDecay = 0)
        : TorchSharp.Modules.Adam(parameters, lr, weight_decay: weightDecay)
    {
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var o = (Options)group.Options;
            Step(group.Parameters, p =>
            {
                var state = (State)_state[p.Handle];
                state.step += 1;
                return (state.exp_avg, state.exp_avg_sq, state.step);
            },
                o.LearningRate!.Value, o.beta1!.Value, o.beta2!.Value, o.eps!.Value, l2Decay: o.weight_decay!.Value, decoupledDecay: 0);
        }, closure);
    }

    /// <summary>TorchSharp's <see cref="TorchSharp.Modules.AdamW"/>: weight decay decoupled from the gradient.</summary>
    public sealed class AdamW(IEnumerable<Parameter> parameters, double lr, double weightDecay = 0)
        : TorchSharp.Modules.AdamW(parameters, lr, weight_decay: weightDecay)
    {
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var o = (Options)group.Options;
            Step(group.Parameters, p =>
            {
                var state = (State)_state[p.Handle];
                state.step += 1;
                return (state.exp_avg, state.exp_avg_sq, state.step);
            },
                o.LearningRate!.Value, o.beta1!.Value, o.beta2!.Value, o.eps!.Value, l2Decay: 0, decoupledDecay: o.weight_decay!.Value);
        }, closure);
    }

    /// <summary>
    /// One Adam step of a group's parameters as TorchSharp computes it (AMSGrad and maximize left out: nothing here uses them);
    /// <paramref name="advance"/> counts the parameter's step and returns its moments.
    /// </summary>
    private static void Step(IEnumerable<Parameter> parameters, Func<Parameter, (Tensor ExpAvg, Tensor ExpAvgSq, long Step)> advance,
        double lr, double beta1, double beta2, double eps, double l2Decay, double decoupledDecay)
    {
        foreach (var param in parameters)
        {
            if (param.grad is not { } grad) continue;
            var (expAvg, expAvgSq, step) = advance(param);
            if (decoupledDecay != 0)
            {
                using var shrink = (1 - lr * decoupledDecay).ToScalar();
                param.mul_(shrink);
            }
            var biasCorrection1 = 1 - Math.Pow(beta1, step);
            var biasCorrection2 = 1 - Math.Pow(beta2, step);
            if (l2Decay != 0)
            {
                using var decay = l2Decay.ToScalar();
                grad = grad.add(param, decay);
            }
            using var beta1By = beta1.ToScalar();
            using var gradientBy = (1 - beta1).ToScalar();
            using var beta2By = beta2.ToScalar();
            using var squareBy = (1 - beta2).ToScalar();
            using var correction = Math.Sqrt(biasCorrection2).ToScalar();
            using var epsilon = eps.ToScalar();
            using var stepBy = (-(lr / biasCorrection1)).ToScalar();
            expAvg.mul_(beta1By).add_(grad, gradientBy);
            expAvgSq.mul_(beta2By).addcmul_(grad, grad, squareBy);
            using var root = expAvgSq.sqrt();
            using var denominator = root.div(correction).add_(epsilon);
            param.addcdiv_(expAvg, denominator, stepBy);
        }
    }
}
