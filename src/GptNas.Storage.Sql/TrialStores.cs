using GptNas.Trials;

namespace GptNas.Storage;

/// <summary>Opens the store a user names: a PostgreSQL connection string, or else a SQLite file path.</summary>
public static class TrialStores
{
    /// <param name="storage">null: SQLite at <paramref name="defaultSqlitePath"/>; <c>Host=...</c> or <c>postgresql://...</c>: PostgreSQL; else a SQLite file.</param>
    public static ITrialStore Open(string? storage, string defaultSqlitePath)
    {
        if (string.IsNullOrWhiteSpace(storage)) return new SqliteTrialStore(defaultSqlitePath);
        if (IsUri(storage)) return new PostgresTrialStore(FromUri(new Uri(storage)));
        if (IsPostgres(storage)) return new PostgresTrialStore(storage);
        return new SqliteTrialStore(storage);
    }

    /// <summary>True when <paramref name="storage"/> names a PostgreSQL server rather than a SQLite file.</summary>
    public static bool IsPostgres(string storage) => IsUri(storage) || storage.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    private static bool IsUri(string storage) =>
        storage.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || storage.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    /// <summary>postgresql://user:password@host:port/database to Npgsql's key=value form.</summary>
    private static string FromUri(Uri uri)
    {
        var user = Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]);
        var password = uri.UserInfo.Contains(':') ? Uri.UnescapeDataString(uri.UserInfo[(uri.UserInfo.IndexOf(':') + 1)..]) : "";
        var port = uri.Port > 0 ? uri.Port : 5432;
        return $"Host={uri.Host};Port={port};Username={user};Password={password};Database={uri.AbsolutePath.TrimStart('/')}";
    }
}
