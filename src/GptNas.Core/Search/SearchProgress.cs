namespace GptNas.Search;

/// <summary>
/// Live progress of a study: the generation of the trial just finished, trials done of those planned (null: open-ended),
/// the best fitness so far, and the seconds of trials spent of the budget (null: no budget).
/// </summary>
public sealed record SearchProgress(int Generation, int TrialsDone, int? TrialsPlanned, double? BestFitness, double SecondsSpent = 0, double? BudgetSeconds = null);
