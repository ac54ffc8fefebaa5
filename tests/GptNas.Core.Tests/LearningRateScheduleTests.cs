using GptNas.Training;

namespace GptNas.Tests;

public class LearningRateScheduleTests
{
    [Fact]
    public void WarmupRampsLinearlyToTheBaseRate()
    {
        var schedule = new LearningRateSchedule(0.01, ScheduleKind.Constant, WarmupEpochs: 2);
        Assert.Equal(0.0025, schedule.RateAt(0.5, 6), 6);
        Assert.Equal(0.005, schedule.RateAt(1.0, 6), 6);
        Assert.Equal(0.01, schedule.RateAt(2.0, 6), 9);
        Assert.Equal(0.01, schedule.RateAt(5.9, 6), 9);
    }

    [Fact]
    public void AirbenchsTriangleStartsAtAFifthOfThePeakAndEndsAtSevenHundredths()
    {
        var schedule = new TrainingConfig { LearningRate = 1.5, Schedule = ScheduleKind.Linear, WarmupEpochs = 2, WarmupFrom = 0.2, DecayTo = 0.07 }
            .LearningRateSchedule;
        Assert.Equal(0.3, schedule.RateAt(0, 10), 6);
        Assert.Equal(0.9, schedule.RateAt(1, 10), 6);  // halfway up: 0.2 + 0.8 / 2 of the peak
        Assert.Equal(1.5, schedule.RateAt(2, 10), 6);
        Assert.Equal(1.5 * (1 + 0.07) / 2, schedule.RateAt(6, 10), 6);  // halfway down
        Assert.Equal(0.105, schedule.RateAt(10, 10), 6);
    }

    [Fact]
    public void StepDecayDividesByTenEveryHundredEpochs()
    {
        // GPT-NAS §7 final training: 0.01, divided by 10 every 100 epochs.
        var schedule = new LearningRateSchedule(0.01, ScheduleKind.Step, StepEpochs: 100, StepFactor: 0.1);
        Assert.Equal(0.01, schedule.RateAt(99.9, 350), 9);
        Assert.Equal(0.001, schedule.RateAt(100, 350), 9);
        Assert.Equal(0.0001, schedule.RateAt(250, 350), 9);
        Assert.Equal(0.00001, schedule.RateAt(349, 350), 9);
    }

    [Fact]
    public void CosineFallsFromBaseToZeroAfterWarmup()
    {
        var schedule = new LearningRateSchedule(0.1, ScheduleKind.Cosine, WarmupEpochs: 1);
        Assert.Equal(0.1, schedule.RateAt(1, 11), 9);
        Assert.Equal(0.05, schedule.RateAt(6, 11), 9);
        Assert.Equal(0.0, schedule.RateAt(11, 11), 9);
    }

    [Fact]
    public void UnknownScheduleNamesTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => LearningRateSchedule.ParseKind("triangle"));
        Assert.Contains("constant, step, cosine or linear", error.Message);
    }

    [Fact]
    public void LinearRisesThroughTheWarmupThenFallsInAStraightLineToZero()
    {
        var schedule = new LearningRateSchedule(0.2, LearningRateSchedule.ParseKind("linear"), WarmupEpochs: 2);
        Assert.Equal(0.1, schedule.RateAt(1, 10), 9);
        Assert.Equal(0.2, schedule.RateAt(2, 10), 9);
        Assert.Equal(0.1, schedule.RateAt(6, 10), 9);
        Assert.Equal(0.05, schedule.RateAt(8, 10), 9);
        Assert.Equal(0.0, schedule.RateAt(10, 10), 9);
    }
}
