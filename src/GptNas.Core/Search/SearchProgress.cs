namespace GptNas.Search;

/// <summary>Live progress of a study: where the search is and the best fitness so far.</summary>
public sealed record SearchProgress(int Generation, int Generations, int TrialsDone, int TrialsTotal, double? BestFitness, string? Message = null);
