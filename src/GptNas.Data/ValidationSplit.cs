namespace GptNas.Data;

/// <summary>Holds out part of a training split for validation, the same way for the same seed.</summary>
public static class ValidationSplit
{
    /// <summary>
    /// Stratified: from each class, round(fraction x its count) images chosen by a Fisher-Yates shuffle
    /// with <c>new Seeds(seed).Random("validation-split")</c>, classes visited in id order. Stratified rather than one plain shuffle
    /// so a small validation split of an unbalanced set still has every class in proportion. Both parts
    /// keep the original image order.
    /// </summary>
    public static (ImageDataset Train, ImageDataset Validation) Split(ImageDataset data, double fraction, int seed)
    {
        if (fraction is <= 0 or >= 1 || double.IsNaN(fraction))
            throw new DataException($"validation fraction {fraction} is outside (0, 1); use e.g. 0.1, or 0 for no validation split");
        var random = new Seeds(seed).Random("validation-split");
        var byClass = new List<int>[data.ClassCount];
        for (int c = 0; c < byClass.Length; c++) byClass[c] = [];
        for (int i = 0; i < data.Count; i++) byClass[data.Labels[i]].Add(i);

        var held = new List<int>();
        foreach (var indices in byClass)
        {
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(indices));
            // Keep at least one training image per class that has any.
            int take = Math.Min((int)Math.Round(fraction * indices.Count), Math.Max(0, indices.Count - 1));
            held.AddRange(indices.Take(take));
        }
        if (held.Count == 0)
            throw new DataException($"{data.Source}: a validation fraction of {fraction} of {data.Count} images holds out none; raise the fraction or use 0");
        var isHeld = new bool[data.Count];
        foreach (var i in held) isHeld[i] = true;
        var train = Enumerable.Range(0, data.Count).Where(i => !isHeld[i]).ToArray();
        var validation = Enumerable.Range(0, data.Count).Where(i => isHeld[i]).ToArray();
        return (data.Subset(train, $"{data.Source} (without validation)"),
                data.Subset(validation, $"{data.Source} validation {fraction:0.###} seed {seed}"));
    }
}
