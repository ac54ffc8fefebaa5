namespace GptNas.Trials;

/// <summary>A trial's life: created Waiting, claimed Running by one worker, then finished once.</summary>
public enum TrialState { Waiting, Running, Complete, Failed, Pruned }

public static class TrialStates
{
    public static bool IsFinished(this TrialState state) => state is TrialState.Complete or TrialState.Failed or TrialState.Pruned;
}
