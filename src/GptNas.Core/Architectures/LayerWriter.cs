namespace GptNas.Architectures;

/// <summary>
/// Appends layer units while tracking the running feature-map shape; throws when a layer does not fit.
/// Branches start a new writer from the same input so a branching block can be written path by path.
/// </summary>
internal sealed class LayerWriter(Shape input, List<LayerUnit>? units = null)
{
    public List<LayerUnit> Units { get; } = units ?? [];
    public Shape Shape { get; private set; } = input;

    public LayerWriter Branch() => new(Shape, Units);
    public LayerWriter BranchFrom(Shape start) => new(start, Units);

    public LayerWriter Conv(int outChannels, int kernel, int stride = 1, int? padding = null, int groups = 1, bool bias = false)
    {
        var pad = padding ?? (kernel - 1) / 2;
        if (Shape.Channels % groups != 0 || outChannels % groups != 0)
            throw new ArchitectureException($"groups={groups} must divide both input channels {Shape.Channels} and output channels {outChannels}");
        var output = new Shape(outChannels, Slide(Shape.Height, kernel, stride, pad), Slide(Shape.Width, kernel, stride, pad));
        Units.Add(LayerUnit.Conv(Shape, output, kernel, stride, pad, groups, bias));
        Shape = output;
        return this;
    }

    public LayerWriter Pool(PoolType type, int kernel, int stride, int padding, bool ceil = false)
    {
        if (padding * 2 > kernel) throw new ArchitectureException($"pool padding {padding} must be at most half the kernel {kernel}");
        var output = Shape with
        {
            Height = Slide(Shape.Height, kernel, stride, padding, ceil),
            Width = Slide(Shape.Width, kernel, stride, padding, ceil),
        };
        Units.Add(LayerUnit.PoolLayer(type, Shape, output, kernel, stride, padding));
        Shape = output;
        return this;
    }

    public LayerWriter GlobalAvgPool()
    {
        var output = new Shape(Shape.Channels, 1, 1);
        Units.Add(LayerUnit.PoolLayer(PoolType.Avg, Shape, output, Math.Max(Shape.Height, Shape.Width), 1, 0));
        Shape = output;
        return this;
    }

    public LayerWriter BatchNorm() => Other("BN");

    /// <summary>After a branching block: branch writers share the unit list, and the block's output is the shape of the last unit written.</summary>
    public void SyncToLastUnit() => Shape = Units[^1].Out;

    /// <summary>An activation by its torchvision-style name; "none" writes nothing.</summary>
    public LayerWriter Activation(string name) => name switch
    {
        "none" => this,
        "relu" => Other("ReLU"),
        "silu" => Other("SiLU"),
        "gelu" => Other("GELU"),
        "sigmoid" => Other("sigmoid"),
        _ => throw new ArchitectureException($"unknown activation '{name}'"),
    };

    /// <summary>A parameter-free layer; <paramref name="output"/> defaults to the current shape.</summary>
    public LayerWriter Other(string name, Shape? output = null, double value = 0)
    {
        var result = output ?? Shape;
        Units.Add(LayerUnit.OtherLayer(name, Shape, result, value));
        Shape = result;
        return this;
    }

    private static int Slide(int size, int kernel, int stride, int padding, bool ceil = false)
    {
        var result = Architectures.Shape.SlidingOutput(size, kernel, stride, padding, 1, ceil);
        if (result < 1) throw new ArchitectureException($"a {kernel}x{kernel} window with stride {stride} does not fit a {size}x{size} input");
        return result;
    }
}
