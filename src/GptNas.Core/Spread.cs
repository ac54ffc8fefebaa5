namespace GptNas;

/// <summary>Mean, sample standard deviation (n - 1) and standard error of the mean.</summary>
public sealed record Spread(int Count, double Mean, double Std)
{
    public double StandardError => Count > 0 ? Std / Math.Sqrt(Count) : double.NaN;

    public static Spread Of(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0) return new Spread(0, double.NaN, double.NaN);
        var mean = list.Average();
        var std = list.Count > 1 ? Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1)) : 0;
        return new Spread(list.Count, mean, std);
    }

    public string Percent => Count == 0 ? "-" : $"{Mean * 100:F2} ± {Std * 100:F2}";
}
