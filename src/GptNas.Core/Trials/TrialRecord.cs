namespace GptNas.Trials;

/// <summary>What a study records for one candidate: where it came from, what was evaluated, and what it scored.</summary>
public sealed record TrialRecord
{
    /// <summary>Store-wide id.</summary>
    public long Id { get; init; }
    public long StudyId { get; init; }
    /// <summary>Position in the search: generation and index within it. Unique per study.</summary>
    public int Generation { get; init; }
    public int Index { get; init; }
    public TrialState State { get; init; }
    /// <summary>The candidate's canonical text and content hash.</summary>
    public string Candidate { get; init; } = "";
    public string Hash { get; init; } = "";
    /// <summary>Parent ids ("g2/i5"), operators applied ("crossover", "alter", "reconstruct"), genes the prior rebuilt.</summary>
    public IReadOnlyList<string> Parents { get; init; } = [];
    public IReadOnlyList<string> Operators { get; init; } = [];
    public IReadOnlyList<int> Predicted { get; init; } = [];
    /// <summary>Seed of this trial's evaluation (derived from the study seed).</summary>
    public int Seed { get; init; }
    public double? Fitness { get; init; }
    /// <summary>Measured numbers: accuracies, parameters, FLOPs, seconds, ...</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Why a failed trial failed (one line).</summary>
    public string? Error { get; init; }
    public string? Worker { get; init; }
    public DateTimeOffset? Started { get; init; }
    public DateTimeOffset? Finished { get; init; }
    public DateTimeOffset? Heartbeat { get; init; }

    public string Name => $"g{Generation}/i{Index}";
    public double? Seconds => Started is { } s && Finished is { } f ? (f - s).TotalSeconds : null;
}

/// <summary>A search run: its name, resolved config (JSON) and seed, plus free-form attributes (the final result, ...).</summary>
public sealed record StudyRecord(long Id, string Name, string Config, int Seed, DateTimeOffset Created);
