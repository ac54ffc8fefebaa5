using System.Data.Common;
using System.Text.Json;
using GptNas.Trials;

namespace GptNas.Storage;

/// <summary>The trials table's columns, shared by the SQL stores: one SELECT list and one row reader.</summary>
internal static class TrialRows
{
    public const string Select = """
        SELECT id, study_id, generation, idx, state, candidate, hash, parents, operators, predicted, seed, fitness, metrics, error,
               worker, started, finished, heartbeat FROM trials
        """;

    /// <param name="time">Reads a timestamp column; each database stores them its own way.</param>
    public static TrialRecord Read(DbDataReader r, Func<DbDataReader, int, DateTimeOffset?> time) => new()
    {
        Id = r.GetInt64(0), StudyId = r.GetInt64(1), Generation = r.GetInt32(2), Index = r.GetInt32(3),
        State = Enum.Parse<TrialState>(r.GetString(4)), Candidate = r.GetString(5), Hash = r.GetString(6),
        Parents = JsonSerializer.Deserialize<string[]>(r.GetString(7))!, Operators = JsonSerializer.Deserialize<string[]>(r.GetString(8))!,
        Predicted = JsonSerializer.Deserialize<int[]>(r.GetString(9))!, Seed = r.GetInt32(10),
        Fitness = r.IsDBNull(11) ? null : r.GetDouble(11), Metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(12))!,
        Error = r.IsDBNull(13) ? null : r.GetString(13), Worker = r.IsDBNull(14) ? null : r.GetString(14),
        Started = time(r, 15), Finished = time(r, 16), Heartbeat = time(r, 17),
    };
}

/// <summary>Parameterised commands on any ADO.NET connection, for the SQL stores (each names its parameters its own way).</summary>
internal static class SqlCommands
{
    public static int Execute(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteScalar();
    }

    public static List<T> Query<T>(DbConnection connection, string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    private static DbCommand Command(DbConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
