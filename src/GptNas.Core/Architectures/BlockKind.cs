namespace GptNas.Architectures;

/// <summary>
/// The 15 block kinds of GPT-NAS §2, taken from torchvision's reference CNNs. Names follow torchvision,
/// except the two Bottleneck variants that torchvision builds from one class with other settings.
/// </summary>
public enum BlockKind
{
    // EfficientNet
    ConvNormActivation,
    SqueezeExcitation,
    // GoogLeNet
    Inception,
    AvgPool,
    // RegNet
    ResBottleneckBlock,
    SimpleStemIN,
    // ResNet, ResNeXt, Wide-ResNet
    Bottleneck,
    BasicBlock,
    GroupedBottleneck,
    WideBottleneck,
    // ShuffleNetV2
    InvertedResidual,
    // plain layers
    MaxPool,
    BatchNorm,
    ReLU,
    Conv,
}
