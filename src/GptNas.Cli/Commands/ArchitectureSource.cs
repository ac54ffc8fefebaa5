using GptNas.Architectures;
using GptNas.Corpora;

namespace GptNas.Cli.Commands;

/// <summary>Resolves what a user types for an architecture: a catalog name or a path to a text file.</summary>
public static class ArchitectureSource
{
    public static Architecture Resolve(string nameOrFile, Shape input, int classes)
    {
        if (ArchitectureCatalog.Contains(nameOrFile)) return ArchitectureCatalog.Build(nameOrFile, input, classes);
        if (File.Exists(nameOrFile)) return Architecture.Parse(File.ReadAllText(nameOrFile)).WithInput(input, classes);
        throw new UsageException($"'{nameOrFile}' is neither a known architecture nor a file; see 'gptnas arch list'");
    }

    /// <summary>
    /// For <c>arch show</c>: a file at its own input and classes unless they are given (so its parameters and hash are
    /// those a search reported for it); a catalog network at 224x224x3 and 1,000 classes unless given.
    /// </summary>
    public static Architecture Show(string nameOrFile, Shape? input, int? classes)
    {
        if (!ArchitectureCatalog.Contains(nameOrFile) && File.Exists(nameOrFile))
        {
            var own = Architecture.Parse(File.ReadAllText(nameOrFile));
            return own.WithInput(input ?? own.Input, classes ?? own.Classes);
        }
        return Resolve(nameOrFile, input ?? new Shape(3, 224, 224), classes ?? 1000);
    }

    /// <summary>The name a run folder or report uses: the catalog name, or the file name without extension.</summary>
    public static string DisplayName(string nameOrFile) =>
        ArchitectureCatalog.Contains(nameOrFile) ? nameOrFile : Path.GetFileNameWithoutExtension(nameOrFile);

    public static Shape ParseShape(string text) =>
        Shape.TryParse(text, out var shape) ? shape : throw new UsageException($"--input must be HxWxC, e.g. 32x32x3, got '{text}'");
}
