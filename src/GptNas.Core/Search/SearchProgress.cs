namespace GptNas.Search;

/// <summary>Live progress of a study: the generation of the trial just finished, trials done of those planned (null: open-ended) and the best fitness so far.</summary>
public sealed record SearchProgress(int Generation, int TrialsDone, int? TrialsPlanned, double? BestFitness);
