using GptNas.Storage;
using GptNas.Trials;

namespace GptNas.Tests;

/// <summary>
/// The <see cref="ITrialStore"/> contract, run against every backend: in-memory, SQLite, and PostgreSQL when
/// <c>GPTNAS_TEST_POSTGRES</c> holds a connection string (<c>.ci/run</c> starts a server and sets it).
/// </summary>
public sealed class TrialStoreContract : IDisposable
{
    private readonly List<IDisposable> _cleanup = [];
    private ITrialStore Store { get; set; } = null!;

    public static TheoryData<string> Backends()
    {
        var backends = new TheoryData<string> { "memory", "sqlite" };
        if (!string.IsNullOrEmpty(StoreBackends.PostgresConnection)) backends.Add("postgres");
        return backends;
    }

    private void Open(string backend)
    {
        var (store, cleanup) = StoreBackends.Open(backend);
        Store = store;
        _cleanup.Add(cleanup);
    }
    private const string Config = """{"ga":{"population":4},"seed":1}""";

    private TrialRecord Draft(long study, int generation, int index) => new()
    {
        StudyId = study, Generation = generation, Index = index, Candidate = $"cand {generation}/{index}", Hash = $"h{generation}{index}",
        Parents = ["g0/i1", "g0/i2"], Operators = ["crossover", "reconstruct"], Predicted = [1, 3], Seed = 42,
    };

    [Theory]
    [MemberData(nameof(Backends))]
    public void StudyIsCreatedOnceAndResumedWithTheSameConfig(string backend)
    {
        Open(backend);
        var first = Store.CreateStudy("s", Config, 1);
        var again = Store.CreateStudy("s", Config, 1);
        Assert.Equal(first.Id, again.Id);
        Assert.Single(Store.Studies());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void ResumingWithAnotherConfigIsRefusedNamingTheSetting(string backend)
    {
        Open(backend);
        Store.CreateStudy("s", Config, 1);
        var error = Assert.Throws<StudyConfigMismatchException>(() => Store.CreateStudy("s", Config.Replace("4", "8"), 1));
        Assert.Contains("ga.population: 4 -> 8", error.Message);
        Assert.Throws<StudyConfigMismatchException>(() => Store.CreateStudy("s", Config, 2));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void TrialsRoundTripEveryField(string backend)
    {
        Open(backend);
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

    [Theory]
    [MemberData(nameof(Backends))]
    public void AddingAnExistingPositionReturnsTheStoredTrial(string backend)
    {
        Open(backend);
        var study = Store.CreateStudy("s", Config, 1);
        var first = Store.AddTrial(Draft(study.Id, 0, 0));
        var second = Store.AddTrial(Draft(study.Id, 0, 0) with { Candidate = "other" });
        Assert.Equal(first.Id, second.Id);
        Assert.Equal("cand 0/0", second.Candidate);
        Assert.Single(Store.Trials(study.Id));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void FinishedTrialsAreImmutable(string backend)
    {
        Open(backend);
        var study = Store.CreateStudy("s", Config, 1);
        var trial = Store.AddTrial(Draft(study.Id, 0, 0));
        Store.TryClaim(trial.Id, "w");
        Store.Finish(trial.Id, TrialState.Failed, null, new Dictionary<string, double>(), "loss became NaN");
        Assert.Throws<InvalidOperationException>(() => Store.Finish(trial.Id, TrialState.Complete, 1, new Dictionary<string, double>(), null));
        Assert.False(Store.TryClaim(trial.Id, "w2"));
        Assert.Equal("loss became NaN", Store.FindTrial(study.Id, 0, 0)!.Error);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void ExactlyOneOfManyRacingWorkersClaimsATrial(string backend)
    {
        Open(backend);
        var study = Store.CreateStudy("s", Config, 1);
        var trial = Store.AddTrial(Draft(study.Id, 0, 0));
        var wins = 0;
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, worker =>
        {
            if (Store.TryClaim(trial.Id, $"w{worker}")) Interlocked.Increment(ref wins);
        });
        Assert.Equal(1, wins);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void StaleRunningTrialsAreRequeued(string backend)
    {
        Open(backend);
        var study = Store.CreateStudy("s", Config, 1);
        var trial = Store.AddTrial(Draft(study.Id, 0, 0));
        Store.TryClaim(trial.Id, "dead worker");
        Assert.Equal(0, Store.Requeue(study.Id, DateTimeOffset.UtcNow.AddMinutes(-5)));
        Assert.Equal(1, Store.Requeue(study.Id, DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.Equal(TrialState.Waiting, Store.FindTrial(study.Id, 0, 0)!.State);
        Assert.True(Store.TryClaim(trial.Id, "new worker"));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void AttributesAreKeptPerStudy(string backend)
    {
        Open(backend);
        var study = Store.CreateStudy("s", Config, 1);
        Store.SetAttribute(study.Id, "final", "0.91");
        Store.SetAttribute(study.Id, "final", "0.92");
        Assert.Equal("0.92", Store.GetAttribute(study.Id, "final"));
        Assert.Null(Store.GetAttribute(study.Id, "missing"));
    }

    public void Dispose()
    {
        foreach (var cleanup in _cleanup) cleanup.Dispose();
    }
}
