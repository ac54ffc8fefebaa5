using System.Data.Common;
using System.Text.Json;
using GptNas.Trials;
using Npgsql;
using static GptNas.Storage.SqlCommands;

namespace GptNas.Storage;

/// <summary>
/// An <see cref="ITrialStore"/> in PostgreSQL, for workers on several machines sharing one study. Claims are
/// single conditional UPDATEs, so exactly one worker wins a trial; the schema is created on first use
/// under an advisory lock, so workers may start together.
/// </summary>
public sealed class PostgresTrialStore : ITrialStore
{
    private readonly NpgsqlDataSource _source;

    /// <param name="connectionString">e.g. <c>Host=db;Username=gptnas;Password=...;Database=gptnas</c>
    /// (add <c>Search Path=myschema</c> to keep several projects apart).</param>
    public PostgresTrialStore(string connectionString)
    {
        try
        {
            _source = NpgsqlDataSource.Create(connectionString);
            Migrate();
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException)
        {
            throw new GptNasException($"cannot use the PostgreSQL store ({e.Message.Split('\n')[0]}); check the connection string and that the server is up");
        }
    }

    private void Migrate()
    {
        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        Execute(connection, "SELECT pg_advisory_xact_lock(7405193)");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS studies (
                id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, config TEXT NOT NULL, seed INTEGER NOT NULL, created TIMESTAMPTZ NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS trials (
                id BIGSERIAL PRIMARY KEY, study_id BIGINT NOT NULL REFERENCES studies(id), generation INTEGER NOT NULL, idx INTEGER NOT NULL,
                state TEXT NOT NULL, candidate TEXT NOT NULL, hash TEXT NOT NULL, parents TEXT NOT NULL, operators TEXT NOT NULL,
                predicted TEXT NOT NULL, seed INTEGER NOT NULL, fitness DOUBLE PRECISION, metrics TEXT NOT NULL, error TEXT, worker TEXT,
                started TIMESTAMPTZ, finished TIMESTAMPTZ, heartbeat TIMESTAMPTZ, UNIQUE (study_id, generation, idx));
            CREATE TABLE IF NOT EXISTS attributes (
                study_id BIGINT NOT NULL REFERENCES studies(id), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (study_id, key));
            """);
        transaction.Commit();
    }

    public StudyRecord CreateStudy(string name, string config, int seed)
    {
        using var connection = _source.OpenConnection();
        Execute(connection, "INSERT INTO studies (name, config, seed) VALUES (@name, @config, @seed) ON CONFLICT (name) DO NOTHING",
            ("name", name), ("config", config), ("seed", seed));
        return StudyConfigMismatchException.ThrowIfDiffers(ReadStudy(connection, name)!, config, seed);
    }

    public StudyRecord? FindStudy(string name)
    {
        using var connection = _source.OpenConnection();
        return ReadStudy(connection, name);
    }

    public IReadOnlyList<StudyRecord> Studies()
    {
        using var connection = _source.OpenConnection();
        return Query(connection, "SELECT id, name, config, seed, created FROM studies ORDER BY id", ReadStudyRow);
    }

    public TrialRecord AddTrial(TrialRecord draft)
    {
        using var connection = _source.OpenConnection();
        Execute(connection, """
            INSERT INTO trials (study_id, generation, idx, state, candidate, hash, parents, operators, predicted, seed, metrics)
            VALUES (@study, @generation, @idx, 'Waiting', @candidate, @hash, @parents, @operators, @predicted, @seed, '{}')
            ON CONFLICT (study_id, generation, idx) DO NOTHING
            """,
            ("study", draft.StudyId), ("generation", draft.Generation), ("idx", draft.Index), ("candidate", draft.Candidate), ("hash", draft.Hash),
            ("parents", JsonSerializer.Serialize(draft.Parents)), ("operators", JsonSerializer.Serialize(draft.Operators)),
            ("predicted", JsonSerializer.Serialize(draft.Predicted)), ("seed", draft.Seed));
        return ReadTrial(connection, draft.StudyId, draft.Generation, draft.Index)!;
    }

    public bool TryClaim(long trialId, string worker)
    {
        using var connection = _source.OpenConnection();
        return Execute(connection, "UPDATE trials SET state = 'Running', worker = @worker, started = now(), heartbeat = now() WHERE id = @id AND state = 'Waiting'",
            ("worker", worker), ("id", trialId)) == 1;
    }

    public void Heartbeat(long trialId, string worker)
    {
        using var connection = _source.OpenConnection();
        Execute(connection, "UPDATE trials SET heartbeat = now() WHERE id = @id AND state = 'Running' AND worker = @worker", ("id", trialId), ("worker", worker));
    }

    public void Finish(long trialId, TrialState state, double? fitness, IReadOnlyDictionary<string, double> metrics, string? error)
    {
        if (!state.IsFinished()) throw new ArgumentException($"{state} is not a finished state", nameof(state));
        using var connection = _source.OpenConnection();
        var changed = Execute(connection, """
            UPDATE trials SET state = @state, fitness = @fitness, metrics = @metrics, error = @error, finished = now()
            WHERE id = @id AND state NOT IN ('Complete', 'Failed', 'Pruned')
            """,
            ("state", state.ToString()), ("fitness", fitness), ("metrics", JsonSerializer.Serialize(metrics)), ("error", error), ("id", trialId));
        if (changed == 0) throw new InvalidOperationException($"trial {trialId} is already finished; finished trials are immutable");
    }

    public int Requeue(long studyId, DateTimeOffset heartbeatBefore)
    {
        using var connection = _source.OpenConnection();
        return Execute(connection, """
            UPDATE trials SET state = 'Waiting', worker = NULL, started = NULL, heartbeat = NULL
            WHERE study_id = @study AND state = 'Running' AND heartbeat < @before
            """, ("study", studyId), ("before", heartbeatBefore.UtcDateTime));
    }

    public TrialRecord? FindTrial(long studyId, int generation, int index)
    {
        using var connection = _source.OpenConnection();
        return ReadTrial(connection, studyId, generation, index);
    }

    public IReadOnlyList<TrialRecord> Trials(long studyId)
    {
        using var connection = _source.OpenConnection();
        return Query(connection, $"{TrialRows.Select} WHERE study_id = @study ORDER BY generation, idx", ReadTrialRow, ("study", studyId));
    }

    public void SetAttribute(long studyId, string key, string value)
    {
        using var connection = _source.OpenConnection();
        Execute(connection, "INSERT INTO attributes (study_id, key, value) VALUES (@study, @key, @value) ON CONFLICT (study_id, key) DO UPDATE SET value = excluded.value",
            ("study", studyId), ("key", key), ("value", value));
    }

    public string? GetAttribute(long studyId, string key)
    {
        using var connection = _source.OpenConnection();
        return Query(connection, "SELECT value FROM attributes WHERE study_id = @study AND key = @key", r => r.GetString(0), ("study", studyId), ("key", key)).FirstOrDefault();
    }

    public void Dispose() => _source.Dispose();

    private static TrialRecord? ReadTrial(NpgsqlConnection connection, long studyId, int generation, int index) =>
        Query(connection, $"{TrialRows.Select} WHERE study_id = @study AND generation = @generation AND idx = @idx", ReadTrialRow,
            ("study", studyId), ("generation", generation), ("idx", index)).FirstOrDefault();

    private static TrialRecord ReadTrialRow(DbDataReader r) => TrialRows.Read(r, Time);

    private static StudyRecord? ReadStudy(NpgsqlConnection connection, string name) =>
        Query(connection, "SELECT id, name, config, seed, created FROM studies WHERE name = @name", ReadStudyRow, ("name", name)).FirstOrDefault();

    private static StudyRecord ReadStudyRow(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4));

    private static DateTimeOffset? Time(DbDataReader r, int column) => r.IsDBNull(column) ? null : r.GetFieldValue<DateTimeOffset>(column);
}
