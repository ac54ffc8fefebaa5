namespace GptNas.Corpora;

/// <summary>
/// A corpus, vocabulary or benchmark table that cannot be read or does not match. The message names the
/// file and line at fault and the way out, and is meant to be shown to the user as it is.
/// </summary>
public sealed class CorpusException(string message, Exception? inner = null) : GptNasException(message, inner);
