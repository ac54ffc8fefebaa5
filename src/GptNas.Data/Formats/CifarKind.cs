namespace GptNas.Data.Formats;

/// <summary>The two CIFAR binary releases, which differ in label bytes per record and class count.</summary>
public enum CifarKind { Cifar10, Cifar100 }
