namespace GptNas;

/// <summary>
/// An error the user can fix (bad input, bad data, a diverged run). Its message is one line that names
/// the problem and the way out, and is shown as it is, without a stack trace.
/// </summary>
public class GptNasException(string message, Exception? inner = null) : Exception(message, inner);
