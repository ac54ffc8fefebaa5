using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using GptNas.Trials;
using Microsoft.Data.Sqlite;
using static GptNas.Storage.SqlCommands;

namespace GptNas.Storage;

/// <summary>
/// An <see cref="ITrialStore"/> in one SQLite file. Every call opens its own pooled connection, so the
/// store is thread-safe; WAL mode and a busy timeout let several processes on one machine share the
/// file. Each change is one statement or transaction, so a process killed at any moment leaves every
/// committed trial intact.
/// </summary>
public sealed class SqliteTrialStore : ITrialStore
{
    private const int SchemaVersion = 1;
    private readonly string _connectionString;

    public string Path { get; }

    public SqliteTrialStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 30 }.ToString();
        try { Migrate(); }
        catch (SqliteException e) when (e.SqliteErrorCode is 11 or 26) // SQLITE_CORRUPT, SQLITE_NOTADB; read-only and full are the caller's to name
        {
            throw new GptNasException($"'{Path}' is not a gptnas study database ({e.Message}); give another --storage path or remove the file");
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private void Migrate()
    {
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
            throw new GptNasException($"'{Path}' was written by a newer gptnas (schema {version}); upgrade gptnas to read it");
        if (version == SchemaVersion) return;
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS studies (
                id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, config TEXT NOT NULL, seed INTEGER NOT NULL, created TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS trials (
                id INTEGER PRIMARY KEY, study_id INTEGER NOT NULL REFERENCES studies(id), generation INTEGER NOT NULL, idx INTEGER NOT NULL,
                state TEXT NOT NULL, candidate TEXT NOT NULL, hash TEXT NOT NULL, parents TEXT NOT NULL, operators TEXT NOT NULL,
                predicted TEXT NOT NULL, seed INTEGER NOT NULL, fitness REAL, metrics TEXT NOT NULL, error TEXT, worker TEXT,
                started TEXT, finished TEXT, heartbeat TEXT, UNIQUE (study_id, generation, idx));
            CREATE TABLE IF NOT EXISTS attributes (
                study_id INTEGER NOT NULL REFERENCES studies(id), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (study_id, key));
            PRAGMA user_version = 1;
            """);
    }

    public StudyRecord CreateStudy(string name, string config, int seed)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        if (ReadStudy(connection, name) is { } existing)
            return StudyConfigMismatchException.ThrowIfDiffers(existing, config, seed);
        Execute(connection, "INSERT INTO studies (name, config, seed, created) VALUES ($name, $config, $seed, $created)",
            ("$name", name), ("$config", config), ("$seed", seed), ("$created", Now()));
        var study = ReadStudy(connection, name)!;
        transaction.Commit();
        return study;
    }

    public StudyRecord? FindStudy(string name)
    {
        using var connection = Open();
        return ReadStudy(connection, name);
    }

    public IReadOnlyList<StudyRecord> Studies()
    {
        using var connection = Open();
        return Query(connection, "SELECT id, name, config, seed, created FROM studies ORDER BY id", ReadStudyRow);
    }

    public TrialRecord AddTrial(TrialRecord draft)
    {
        using var connection = Open();
        Execute(connection, """
            INSERT OR IGNORE INTO trials (study_id, generation, idx, state, candidate, hash, parents, operators, predicted, seed, metrics)
            VALUES ($study, $generation, $idx, 'Waiting', $candidate, $hash, $parents, $operators, $predicted, $seed, '{}')
            """,
            ("$study", draft.StudyId), ("$generation", draft.Generation), ("$idx", draft.Index), ("$candidate", draft.Candidate),
            ("$hash", draft.Hash), ("$parents", Json(draft.Parents)), ("$operators", Json(draft.Operators)),
            ("$predicted", Json(draft.Predicted)), ("$seed", draft.Seed));
        return ReadTrial(connection, draft.StudyId, draft.Generation, draft.Index)!;
    }

    public bool TryClaim(long trialId, string worker)
    {
        using var connection = Open();
        var now = Now();
        return Execute(connection, "UPDATE trials SET state = 'Running', worker = $worker, started = $now, heartbeat = $now WHERE id = $id AND state = 'Waiting'",
            ("$worker", worker), ("$now", now), ("$id", trialId)) == 1;
    }

    public void Heartbeat(long trialId, string worker)
    {
        using var connection = Open();
        Execute(connection, "UPDATE trials SET heartbeat = $now WHERE id = $id AND state = 'Running' AND worker = $worker",
            ("$now", Now()), ("$id", trialId), ("$worker", worker));
    }

    public void Finish(long trialId, TrialState state, double? fitness, IReadOnlyDictionary<string, double> metrics, string? error)
    {
        if (!state.IsFinished()) throw new ArgumentException($"{state} is not a finished state", nameof(state));
        using var connection = Open();
        var changed = Execute(connection, """
            UPDATE trials SET state = $state, fitness = $fitness, metrics = $metrics, error = $error, finished = $now
            WHERE id = $id AND state NOT IN ('Complete', 'Failed', 'Pruned')
            """,
            ("$state", state.ToString()), ("$fitness", fitness), ("$metrics", JsonSerializer.Serialize(metrics)),
            ("$error", error), ("$now", Now()), ("$id", trialId));
        if (changed == 0) throw new InvalidOperationException($"trial {trialId} is already finished; finished trials are immutable");
    }

    public int Requeue(long studyId, DateTimeOffset heartbeatBefore)
    {
        using var connection = Open();
        return Execute(connection, """
            UPDATE trials SET state = 'Waiting', worker = NULL, started = NULL, heartbeat = NULL
            WHERE study_id = $study AND state = 'Running' AND heartbeat < $before
            """, ("$study", studyId), ("$before", Format(heartbeatBefore)));
    }

    public TrialRecord? FindTrial(long studyId, int generation, int index)
    {
        using var connection = Open();
        return ReadTrial(connection, studyId, generation, index);
    }

    public IReadOnlyList<TrialRecord> Trials(long studyId)
    {
        using var connection = Open();
        return Query(connection, $"{TrialRows.Select} WHERE study_id = $study ORDER BY generation, idx", ReadTrialRow, ("$study", studyId));
    }

    public void SetAttribute(long studyId, string key, string value)
    {
        using var connection = Open();
        Execute(connection, "INSERT INTO attributes (study_id, key, value) VALUES ($study, $key, $value) ON CONFLICT (study_id, key) DO UPDATE SET value = excluded.value",
            ("$study", studyId), ("$key", key), ("$value", value));
    }

    public string? GetAttribute(long studyId, string key)
    {
        using var connection = Open();
        return Scalar(connection, "SELECT value FROM attributes WHERE study_id = $study AND key = $key", ("$study", studyId), ("$key", key)) as string;
    }

    public void Dispose() => SqliteConnection.ClearAllPools();

    private static TrialRecord? ReadTrial(SqliteConnection connection, long studyId, int generation, int index) =>
        Query(connection, $"{TrialRows.Select} WHERE study_id = $study AND generation = $generation AND idx = $idx", ReadTrialRow,
            ("$study", studyId), ("$generation", generation), ("$idx", index)).FirstOrDefault();

    private static TrialRecord ReadTrialRow(DbDataReader r) => TrialRows.Read(r, Time);

    private static StudyRecord? ReadStudy(SqliteConnection connection, string name) =>
        Query(connection, "SELECT id, name, config, seed, created FROM studies WHERE name = $name", ReadStudyRow, ("$name", name)).FirstOrDefault();

    private static StudyRecord ReadStudyRow(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), DateTimeOffset.Parse(r.GetString(4), CultureInfo.InvariantCulture));

    private static DateTimeOffset? Time(DbDataReader r, int column) =>
        r.IsDBNull(column) ? null : DateTimeOffset.Parse(r.GetString(column), CultureInfo.InvariantCulture);

    // Fixed-width UTC timestamps compare correctly as text.
    private static string Now() => Format(DateTimeOffset.UtcNow);
    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
    private static string Json<T>(IReadOnlyList<T> values) => JsonSerializer.Serialize(values);
}
