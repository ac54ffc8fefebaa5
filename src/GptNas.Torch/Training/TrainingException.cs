namespace GptNas.Training;

/// <summary>A training run that cannot go on, e.g. its loss became NaN; the message says what to change.</summary>
public sealed class TrainingException(string message) : GptNasException(message);
