namespace GptNas.Training;

/// <summary>
/// Counts of (true class, predicted class) over one pass of a labelled split: <c>Counts[truth][predicted]</c>.
/// Rows are what the images are, columns what the model said.
/// </summary>
public sealed class ConfusionMatrix(int classes)
{
    public long[][] Counts { get; } = Enumerable.Range(0, classes).Select(_ => new long[classes]).ToArray();

    public void Add(int truth, int predicted) => Counts[truth][predicted]++;

    /// <summary>Images of class <paramref name="c"/>.</summary>
    public long Images(int c) => Counts[c].Sum();

    /// <summary>Share of class <paramref name="c"/>'s images labelled <paramref name="c"/> (its per-class accuracy); NaN when it has none.</summary>
    public double Recall(int c) => Ratio(Counts[c][c], Images(c));

    /// <summary>Share of the images labelled <paramref name="c"/> that are <paramref name="c"/>; NaN when none was.</summary>
    public double Precision(int c) => Ratio(Counts[c][c], Counts.Sum(row => row[c]));

    private static double Ratio(long part, long whole) => whole == 0 ? double.NaN : (double)part / whole;
}

/// <summary>One class as <c>gptnas evaluate</c> measured it.</summary>
public sealed record ClassEvaluation(string Name, long Images, double Recall, double Precision);

/// <summary>
/// What <c>gptnas evaluate</c> measured of a trained model on one split of a data set (stored as <c>report/evaluation.json</c>):
/// top-1, top-5 (null with 5 classes or fewer), mean cross-entropy, each class and the confusion matrix. Accuracies are fractions.
/// </summary>
public sealed record ModelEvaluation
{
    public string Data { get; init; } = "";
    public string Split { get; init; } = "";
    public int Images { get; init; }
    public double Top1 { get; init; }
    public double? Top5 { get; init; }
    public double Loss { get; init; }
    public string Hash { get; init; } = "";
    public IReadOnlyList<ClassEvaluation> Classes { get; init; } = [];
    /// <summary><c>Confusion[truth][predicted]</c>, in the order of <see cref="Classes"/>.</summary>
    public long[][] Confusion { get; init; } = [];
}
