using GptNas.Storage;
using GptNas.Trials;

namespace GptNas.Tests;

public sealed class SqliteTrialStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gptnas-store-").FullName;

    [Fact]
    public void TrialsSurviveReopeningTheFile()
    {
        var path = Path.Combine(_folder, "study.db");
        using (var store = new SqliteTrialStore(path))
        {
            var study = store.CreateStudy("s", "{}", 1);
            store.AddTrial(new TrialRecord { StudyId = study.Id, Candidate = "c", Hash = "h" });
        }
        using var reopened = new SqliteTrialStore(path);
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

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

public sealed class PostgresTrialStoreTests
{
    [Fact]
    public void AnUnreachableServerGetsAClearError()
    {
        var error = Assert.Throws<GptNasException>(() => new PostgresTrialStore("Host=127.0.0.1;Port=1;Username=x;Password=x;Database=x;Timeout=2"));
        Assert.Contains("cannot use the PostgreSQL store", error.Message);
    }
}
