using GptNas.Storage;
using GptNas.Trials;
using Npgsql;

namespace GptNas.Tests;

/// <summary>Fresh, isolated stores of each backend for the contract tests, and how to clean them up.</summary>
internal static class StoreBackends
{
    public static string? PostgresConnection => Environment.GetEnvironmentVariable("GPTNAS_TEST_POSTGRES");

    public static (ITrialStore Store, IDisposable Cleanup) Open(string backend)
    {
        switch (backend)
        {
            case "memory":
            {
                var store = new InMemoryTrialStore();
                return (store, store);
            }
            case "sqlite":
            {
                var folder = Directory.CreateTempSubdirectory("gptnas-store-").FullName;
                var store = new SqliteTrialStore(Path.Combine(folder, "study.db"));
                return (store, new Cleanup(() => { store.Dispose(); Directory.Delete(folder, recursive: true); }));
            }
            case "postgres":
            {
                // Each test gets a schema of its own, so tests never see each other's studies.
                var schema = $"t{Guid.NewGuid():N}";
                Sql($"CREATE SCHEMA {schema}");
                var store = new PostgresTrialStore(new NpgsqlConnectionStringBuilder(PostgresConnection) { SearchPath = schema }.ToString());
                return (store, new Cleanup(() => { store.Dispose(); Sql($"DROP SCHEMA {schema} CASCADE"); }));
            }
            default: throw new ArgumentException($"unknown backend {backend}", nameof(backend));
        }
    }

    private static void Sql(string statement)
    {
        using var connection = new NpgsqlConnection(PostgresConnection);
        connection.Open();
        using var command = new NpgsqlCommand(statement, connection);
        command.ExecuteNonQuery();
    }

    private sealed class Cleanup(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
