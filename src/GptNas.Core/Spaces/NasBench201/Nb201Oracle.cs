using GptNas.Search.Strategies;

namespace GptNas.Spaces.NasBench201;

/// <summary>
/// NAS-Bench-201's protocol for non-weight-sharing search (NB201 paper, Table 5; shared/benchmarks/README.md):
/// what a query returns, what it costs and how much may be spent.
/// </summary>
/// <remarks>
/// <para>Signal: <c>cifar10_valid_acc_12ep</c>, the CIFAR-10 validation accuracy after NB201's 12-epoch schedule
/// on the 25k-image <c>cifar10-valid</c> split (NB201's <c>get_more_info(..., 'cifar10-valid', None, True)</c>).
/// NB201's code answers each query with one training seed's value, drawn at random per query
/// (<see cref="Nb201Signal.Seed"/>, the default, through <see cref="Nb201SeedTable"/>'s model); the table holds the mean
/// over seeds, which <see cref="Nb201Signal.Mean"/> returns (noise-free, an easier search than NB201's).</para>
/// <para>Cost of a query, in simulated seconds: <c>CostEpochs x epoch_time_s x CostScale</c> = 12 x epoch_time_s x 0.5
/// by default. NB201 charged the 12-epoch <c>cifar10-valid</c> train + valid time, which the table lacks;
/// <c>epoch_time_s</c> is one epoch on the 50k-image <c>cifar10</c> split, so half of it approximates one epoch on
/// 25k images (the README's random-search check with this model reproduces NB201's RS row).</para>
/// <para>Budget: queries are charged until the next one would take the total past <see cref="BudgetSeconds"/>;
/// that query is refused and the search ends (NB201's RS and REA: <c>if total + cost &gt; budget: stop</c>).</para>
/// <para>Repeated queries of a cell already queried in the same run are charged again, as NB201's code does (it
/// keeps no cache), unless <see cref="ChargeRepeats"/> is false.</para>
/// </remarks>
public sealed record Nb201Protocol
{
    /// <summary>Simulated seconds a search may spend (NB201: 12,000).</summary>
    public double BudgetSeconds { get; init; } = 12_000;
    /// <summary>Training epochs a query stands for (NB201's search schedule: 12).</summary>
    public double CostEpochs { get; init; } = 12;
    /// <summary>Share of a 50k-image epoch that one 25k-image epoch takes (0.5).</summary>
    public double CostScale { get; init; } = 0.5;
    /// <summary>True (NB201): a repeated query costs again. False: only a run's first query of a cell costs.</summary>
    public bool ChargeRepeats { get; init; } = true;
    /// <summary>What a query returns: one random training seed's accuracy (NB201) or the mean over seeds.</summary>
    public Nb201Signal Signal { get; init; } = Nb201Signal.Seed;
    /// <summary>Multiplies <see cref="Nb201SeedTable"/>'s modelled seed deviations (1: the model).</summary>
    public double NoiseScale { get; init; } = 1;

    /// <summary>Simulated seconds one query of <paramref name="record"/> costs.</summary>
    public double Cost(Nb201Record record) => CostEpochs * record.EpochSeconds * CostScale;

    /// <summary>The protocol in one sentence, for command output and result files.</summary>
    public string Describe() =>
        (Signal == Nb201Signal.Seed
            ? $"signal cifar10_valid_acc_12ep of one training seed drawn per query (NB201's is_random=True; per-seed values modelled, sd {Nb201SeedTable.SdPerErrorPoint:G} x error x {NoiseScale:G}, 2 seeds)"
            : "signal cifar10_valid_acc_12ep, mean over seeds (noise-free; not NB201's protocol)") +
        $"; cost per query = {CostEpochs:G} x epoch_time_s x {CostScale:G} simulated s; " +
        $"budget {BudgetSeconds:G} s, the query that would exceed it ends the search; repeated queries {(ChargeRepeats ? "charged again (NB201)" : "free after the first")}; " +
        "result = best signal queried within budget";

    public Nb201Protocol Validate()
    {
        if (!(BudgetSeconds > 0)) throw new GptNasException($"the budget is {BudgetSeconds} s; it must be positive");
        if (!(CostEpochs > 0) || !(CostScale > 0)) throw new GptNasException($"the cost model {CostEpochs} x epoch_time_s x {CostScale} must be positive");
        if (!(NoiseScale >= 0) || !double.IsFinite(NoiseScale)) throw new GptNasException($"the noise scale is {NoiseScale}; it must be a finite number >= 0");
        return this;
    }
}

/// <summary>What an NB201 query returns.</summary>
public enum Nb201Signal
{
    /// <summary>One training seed's 12-epoch validation accuracy, drawn at random per query (NB201's code).</summary>
    Seed,
    /// <summary>The mean over seeds (the table's column): noise-free.</summary>
    Mean,
}

/// <summary>
/// The tabular evaluator of one search run under <see cref="Nb201Protocol"/>: answers queries from the table,
/// charges them, refuses the one that would overshoot the budget, and keeps the incumbent (best signal as
/// observed, i.e. the seed drawn for that query; the first of equal ones, as NB201's <c>max(history)</c>).
/// One per run; not thread-safe.
/// </summary>
/// <remarks>NOTE: the cost is the cost model's for every seed; NB201 charged the drawn seed's own recorded time,
/// which the table does not hold per seed.</remarks>
public sealed class Nb201Oracle : IBudgetedObjective<Nb201Cell>
{
    private readonly HashSet<int> _seen = [];
    private readonly Nb201Table _table;
    private readonly Nb201Protocol _protocol;
    private readonly Nb201SeedTable? _seedTable;
    private readonly Random? _draw;

    /// <param name="seedTable">The per-seed values; required when the protocol's signal is <see cref="Nb201Signal.Seed"/>.</param>
    /// <param name="draw">Picks the seed of each query (the run's own stream).</param>
    public Nb201Oracle(Nb201Table table, Nb201Protocol protocol, Nb201SeedTable? seedTable = null, Random? draw = null)
    {
        (_table, _protocol) = (table, protocol);
        if (protocol.Signal == Nb201Signal.Seed)
        {
            _seedTable = seedTable ?? throw new GptNasException("the per-seed signal needs an Nb201SeedTable");
            _draw = draw ?? throw new GptNasException("the per-seed signal needs a generator that draws each query's seed");
        }
    }

    /// <summary>Simulated seconds charged so far.</summary>
    public double Spent { get; private set; }

    /// <summary>Queries answered (repeats included).</summary>
    public int Queries { get; private set; }

    /// <summary>Distinct cells queried.</summary>
    public int Distinct => _seen.Count;

    /// <summary>True once a query was refused.</summary>
    public bool Exhausted { get; private set; }

    /// <summary>The best cell queried within budget; null before the first query.</summary>
    public Nb201Record? Best { get; private set; }

    /// <summary>The signal <see cref="Best"/> was observed with.</summary>
    public double BestSignal { get; private set; } = double.NegativeInfinity;

    public bool TryQuery(Nb201Cell candidate, out double fitness)
    {
        fitness = double.NaN;
        if (Exhausted) return false;
        var record = _table[candidate];
        var cost = _protocol.ChargeRepeats || !_seen.Contains(candidate.Code) ? _protocol.Cost(record) : 0;
        if (Spent >= _protocol.BudgetSeconds || Spent + cost > _protocol.BudgetSeconds)
        {
            Exhausted = true;
            return false;
        }
        Spent += cost;
        Queries++;
        _seen.Add(candidate.Code);
        fitness = _seedTable is null ? record.Cifar10Valid12 : _seedTable.Value(record, _draw!.Next(Nb201SeedTable.SeedCount));
        if (Best is null || fitness > BestSignal) (Best, BestSignal) = (record, fitness);
        return true;
    }
}
