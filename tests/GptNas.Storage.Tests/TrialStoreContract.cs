using GptNas.Storage;
using GptNas.Trials;

namespace GptNas.Tests;

/// <summary>The <see cref="ITrialStore"/> contract, run against every backend.</summary>
public abstract class TrialStoreContract : IDisposable
{
    protected abstract ITrialStore Store { get; }
    private const string Config = """{"ga":{"population":4},"seed":1}""";

    private TrialRecord Draft(long study, int generation, int index) => new()
    {
        StudyId = study, Generation = generation, Index = index, Candidate = $"cand {generation}/{index}", Hash = $"h{generation}{index}",
        Parents = ["g0/i1", "g0/i2"], Operators = ["crossover", "reconstruct"], Predicted = [1, 3], Seed = 42,
    };

    [Fact]
    public void StudyIsCreatedOnceAndResumedWithTheSameConfig()
    {
        var first = Store.CreateStudy("s", Config, 1);
        var again = Store.CreateStudy("s", Config, 1);
        Assert.Equal(first.Id, again.Id);
        Assert.Single(Store.Studies());
    }

    [Fact]
    public void ResumingWithAnotherConfigIsRefusedNamingTheSetting()
    {
        Store.CreateStudy("s", Config, 1);
        var error = Assert.Throws<StudyConfigMismatchException>(() => Store.CreateStudy("s", Config.Replace("4", "8"), 1));
        Assert.Contains("ga.population: 4 -> 8", error.Message);
        Assert.Throws<StudyConfigMismatchException>(() => Store.CreateStudy("s", Config, 2));
    }

    [Fact]
    public void TrialsRoundTripEveryField()
    {
        var study = Store.CreateStudy("s", Config, 1);
        var trial = Store.AddTrial(Draft(study.Id, 2, 3));
        Assert.Equal(TrialState.Waiting, trial.State);
        Assert.True(Store.TryClaim(trial.Id, "w1"));
        Store.Finish(trial.Id, TrialState.Complete, 0.875, new Dictionary<string, double> { ["parameters"] = 1234, ["val_top1"] = 0.875 }, null);
        var stored = Store.FindTrial(study.Id, 2, 3)!;
        Assert.Equal(TrialState.Complete, stored.State);
        Assert.Equal(0.875, stored.Fitness);
        Assert.Equal(1234, stored.Metrics["parameters"]);
        Assert.Equal(["g0/i1", "g0/i2"], stored.Parents);
        Assert.Equal(["crossover", "reconstruct"], stored.Operators);
        Assert.Equal([1, 3], stored.Predicted);
        Assert.Equal("cand 2/3", stored.Candidate);
        Assert.Equal("w1", stored.Worker);
        Assert.NotNull(stored.Seconds);
    }

    [Fact]
    public void AddingAnExistingPositionReturnsTheStoredTrial()
    {
        var study = Store.CreateStudy("s", Config, 1);
        var first = Store.AddTrial(Draft(study.Id, 0, 0));
        var second = Store.AddTrial(Draft(study.Id, 0, 0) with { Candidate = "other" });
        Assert.Equal(first.Id, second.Id);
        Assert.Equal("cand 0/0", second.Candidate);
        Assert.Single(Store.Trials(study.Id));
    }

    [Fact]
    public void FinishedTrialsAreImmutable()
    {
        var study = Store.CreateStudy("s", Config, 1);
        var trial = Store.AddTrial(Draft(study.Id, 0, 0));
        Store.TryClaim(trial.Id, "w");
        Store.Finish(trial.Id, TrialState.Failed, null, new Dictionary<string, double>(), "loss became NaN");
        Assert.Throws<InvalidOperationException>(() => Store.Finish(trial.Id, TrialState.Complete, 1, new Dictionary<string, double>(), null));
        Assert.False(Store.TryClaim(trial.Id, "w2"));
        Assert.Equal("loss became NaN", Store.FindTrial(study.Id, 0, 0)!.Error);
    }

    [Fact]
    public void ExactlyOneOfManyRacingWorkersClaimsATrial()
    {
        var study = Store.CreateStudy("s", Config, 1);
        var trial = Store.AddTrial(Draft(study.Id, 0, 0));
        var wins = 0;
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, worker =>
        {
            if (Store.TryClaim(trial.Id, $"w{worker}")) Interlocked.Increment(ref wins);
        });
        Assert.Equal(1, wins);
    }

    [Fact]
    public void StaleRunningTrialsAreRequeued()
    {
        var study = Store.CreateStudy("s", Config, 1);
        var trial = Store.AddTrial(Draft(study.Id, 0, 0));
        Store.TryClaim(trial.Id, "dead worker");
        Assert.Equal(0, Store.Requeue(study.Id, DateTimeOffset.UtcNow.AddMinutes(-5)));
        Assert.Equal(1, Store.Requeue(study.Id, DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.Equal(TrialState.Waiting, Store.FindTrial(study.Id, 0, 0)!.State);
        Assert.True(Store.TryClaim(trial.Id, "new worker"));
    }

    [Fact]
    public void AttributesAreKeptPerStudy()
    {
        var study = Store.CreateStudy("s", Config, 1);
        Store.SetAttribute(study.Id, "final", "0.91");
        Store.SetAttribute(study.Id, "final", "0.92");
        Assert.Equal("0.92", Store.GetAttribute(study.Id, "final"));
        Assert.Null(Store.GetAttribute(study.Id, "missing"));
    }

    public virtual void Dispose() => Store.Dispose();
}

public sealed class InMemoryTrialStoreTests : TrialStoreContract
{
    protected override ITrialStore Store { get; } = new InMemoryTrialStore();
}

public sealed class SqliteTrialStoreTests : TrialStoreContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gptnas-store-").FullName;
    protected override ITrialStore Store { get; }

    public SqliteTrialStoreTests() => Store = new SqliteTrialStore(Path.Combine(_folder, "study.db"));

    [Fact]
    public void TrialsSurviveReopeningTheFile()
    {
        var study = Store.CreateStudy("s", "{}", 1);
        Store.AddTrial(new TrialRecord { StudyId = study.Id, Candidate = "c", Hash = "h" });
        using var reopened = new SqliteTrialStore(Path.Combine(_folder, "study.db"));
        Assert.Single(reopened.Trials(reopened.FindStudy("s")!.Id));
    }

    [Fact]
    public void AFileThatIsNotADatabaseGetsAClearError()
    {
        var path = Path.Combine(_folder, "junk.db");
        File.WriteAllText(path, new string('x', 4096));
        var error = Assert.Throws<GptNasException>(() => new SqliteTrialStore(path));
        Assert.Contains("is not a gptnas study database", error.Message);
    }

    public override void Dispose()
    {
        base.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
