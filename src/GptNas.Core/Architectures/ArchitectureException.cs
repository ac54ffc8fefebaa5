namespace GptNas.Architectures;

/// <summary>
/// An architecture or layer text that cannot be read or built. The message names the line, block or
/// field at fault, and is meant to be shown to the user as it is.
/// </summary>
public sealed class ArchitectureException(string message) : GptNasException(message);
