namespace GptNas.Search.Strategies;

/// <summary>
/// Multi-fidelity evaluation around any strategy: synchronous successive halving (Jamieson and Talwalkar 2016; one
/// bracket of Hyperband) on each batch the strategy asks. The whole batch is scored at rung 0, the lowest fidelity;
/// the best 1/<paramref name="factor"/> of it (at least one) go on to rung 1, and so on up to <paramref name="rungs"/> - 1,
/// the full fidelity. The inner strategy is then told, for each of its individuals, the score of the highest rung it reached.
/// </summary>
/// <remarks>
/// Every rung's evaluation is a trial of its own (the evaluator reads <see cref="Individual{T}.Rung"/> and scales its
/// fidelity), so each is stored and a resumed study replays halving as it replays the strategy. A promoted individual
/// keeps its generation and is numbered after the batch: at rung r, index = r x batch size + its index in the batch.
/// NOTE: as with ASHA and Optuna's pruners, an individual stopped early keeps its low-fidelity score. That score is
/// usually lower than a full-fidelity one, so a stopped individual ranks below those promoted from its batch, which is
/// where halving put it; only scores from the top rung are compared as equals.
/// </remarks>
public sealed class SuccessiveHalving<T>(ISearchStrategy<T> inner, int rungs, int factor) : ISearchStrategy<T> where T : notnull
{
    private IReadOnlyList<Individual<T>>? _batch;
    private double[] _best = [];
    private List<int> _current = [];
    private int _rung;
    private int _batchSize;

    /// <summary>
    /// Trials in all: the inner strategy's, plus their promotions, counted for batches of the size of the first (exact for the
    /// GA, whose batches are its population); before the first ask, sum over rungs of planned / factor^r.
    /// </summary>
    public int? PlannedTrials => inner.PlannedTrials is not { } planned ? null
        : _batchSize > 0 ? planned / _batchSize * TrialsPerBatch(_batchSize) + (planned % _batchSize > 0 ? TrialsPerBatch(planned % _batchSize) : 0)
        : (int)Math.Ceiling(Enumerable.Range(0, Math.Max(1, rungs)).Sum(r => planned / Math.Pow(factor, r)));

    /// <summary>Evaluations one batch of <paramref name="size"/> takes over all rungs when nothing fails.</summary>
    public int TrialsPerBatch(int size)
    {
        var total = size;
        for (var (rung, count) = (1, size); rung < rungs && (int)Math.Ceiling(count / (double)factor) < count; rung++)
            total += count = (int)Math.Ceiling(count / (double)factor);
        return total;
    }

    public SearchResult<T> Result => inner.Result;

    public IReadOnlyList<Individual<T>> Ask()
    {
        if (rungs < 1 || factor < 2) throw new InvalidOperationException($"successive halving needs at least 1 rung and a factor of at least 2, got {rungs} and {factor}");
        if (_batch is null)
        {
            var batch = inner.Ask();
            if (batch.Count == 0) return [];
            (_batch, _best, _current, _rung) = (batch, new double[batch.Count], Enumerable.Range(0, batch.Count).ToList(), 0);
            if (_batchSize == 0) _batchSize = batch.Count;
        }
        return _current.Select(i => _batch[i] with { Rung = _rung, Index = _rung * _batch.Count + _batch[i].Index }).ToList();
    }

    public void Tell(IReadOnlyList<double> fitness)
    {
        var batch = _batch ?? throw new InvalidOperationException("nothing was asked");
        if (fitness.Count != _current.Count) throw new InvalidOperationException($"told {fitness.Count} fitness values for {_current.Count} individuals");
        for (var k = 0; k < _current.Count; k++) _best[_current[k]] = fitness[k];
        var promoted = (int)Math.Ceiling(_current.Count / (double)factor);
        if (_rung + 1 < rungs && promoted < _current.Count)
        {
            // The best of this rung go on; a failed evaluation (NaN) never does. Ties go to the earlier individual.
            _current = _current.Where(i => double.IsFinite(_best[i])).OrderByDescending(i => _best[i]).ThenBy(i => i).Take(promoted).Order().ToList();
            if (_current.Count > 0)
            {
                _rung++;
                return;
            }
        }
        inner.Tell(_best);
        _batch = null;
    }
}
