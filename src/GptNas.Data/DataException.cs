namespace GptNas.Data;

/// <summary>
/// A data set that cannot be found, read or used. The message is one line that names the file or folder
/// at fault, what is wrong with it, and what to do about it; it is meant to be shown to the user as it is.
/// </summary>
public sealed class DataException : GptNasException
{
    public DataException(string message) : base(message) { }
    public DataException(string message, Exception inner) : base(message, inner) { }
}
