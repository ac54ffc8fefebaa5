using GptNas.Corpora;
using GptNas.Gpt;

namespace GptNas.Prior;

/// <summary>
/// The knowledge GPT-NAS brings to a search (§4): a vocabulary of layer tokens, the GPT trained on
/// architectures written in it, and the block classifier. Lives in one folder:
/// <c>vocabulary.txt</c>, <c>gpt/</c>, <c>classifier/</c> and <c>prior.json</c> (how it was made and how it scored).
/// </summary>
public sealed class ArchitecturePrior : IDisposable
{
    public const string VocabularyFile = "vocabulary.txt";
    public const string GptFolder = "gpt";
    public const string ClassifierFolder = "classifier";
    public const string ManifestFile = "prior.json";
    /// <summary>Where the priors shipped with gptnas sit (one folder each), relative to the executable and to the repository.</summary>
    public const string ShippedRoot = "priors";
    /// <summary>The shipped priors: <c>default</c> (an empty <c>prior.path</c>), <c>paper</c> (the paper's GPT shape, the paper
    /// preset's), <c>small</c> (the default's recipe, fine-tuned on the small-image networks too) and <c>small-weighted</c> (the
    /// same, the small-image networks read ten times an epoch).</summary>
    public static IReadOnlyList<string> ShippedNames { get; } = ["default", "paper", "small", "small-weighted"];

    public Vocabulary Vocabulary { get; }
    public GptModel Gpt { get; }
    public BlockClassifier Classifier { get; }
    public string Folder { get; }

    public ArchitecturePrior(Vocabulary vocabulary, GptModel gpt, BlockClassifier classifier, string folder)
    {
        Vocabulary = vocabulary;
        Gpt = gpt;
        Classifier = classifier;
        Folder = folder;
    }

    /// <summary>Loads a prior folder; every part must belong to the same vocabulary.</summary>
    public static ArchitecturePrior Load(string folder)
    {
        var vocabularyPath = Path.Combine(folder, VocabularyFile);
        if (!File.Exists(vocabularyPath))
            throw new GptNasException($"no prior in '{folder}' ({VocabularyFile} is missing); train one with 'gptnas prior train --out {folder}' or leave prior.path empty for the shipped one");
        var vocabulary = Vocabulary.Load(vocabularyPath);
        var gpt = GptCheckpoint.Load(Path.Combine(folder, GptFolder), vocabulary.Count, vocabulary.Hash);
        var classifier = BlockClassifier.Load(Path.Combine(folder, ClassifierFolder), vocabulary.Count, vocabulary.Hash);
        return new ArchitecturePrior(vocabulary, gpt, classifier, folder);
    }

    /// <summary>A prior shipped with gptnas: next to the executable, else in a parent folder (a source checkout).</summary>
    public static string ShippedFolder(string name = "default")
    {
        var relative = Path.Combine(ShippedRoot, name);
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, relative, VocabularyFile))) return Path.Combine(dir.FullName, relative);
        throw new GptNasException($"the shipped prior '{name}' is missing ('{relative}' next to the program); rebuild, or give prior.path");
    }

    /// <summary>
    /// The folder a <c>prior.path</c> (or <c>--prior</c>) names: empty for the shipped default, a folder, or the name of a
    /// shipped prior (<see cref="ShippedNames"/>) where no folder of that name exists.
    /// </summary>
    public static string Resolve(string? pathOrName) => pathOrName switch
    {
        null or "" => ShippedFolder(),
        _ when !Directory.Exists(pathOrName) && ShippedNames.Contains(pathOrName) => ShippedFolder(pathOrName),
        _ => pathOrName,
    };

    public void Dispose()
    {
        Gpt.Dispose();
        Classifier.Dispose();
    }
}

/// <summary>The token window the GPT and the block classifier both read before a position.</summary>
public static class PriorContext
{
    /// <summary>&lt;bos&gt; then <paramref name="tokens"/>[0..position), keeping the last <paramref name="size"/> ids.</summary>
    public static int[] Before(IReadOnlyList<int> tokens, int position, int size)
    {
        var start = Math.Max(0, position - size);
        var window = new List<int>(size + 1);
        if (start == 0) window.Add(Vocabulary.BosId);
        for (var i = start; i < position; i++) window.Add(tokens[i]);
        return window.Count > size ? window.Skip(window.Count - size).ToArray() : window.ToArray();
    }
}
