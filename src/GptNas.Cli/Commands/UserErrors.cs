using System.Data.Common;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary>
/// Runs a command body and turns the errors a user can cause into one line on stderr and exit code 2,
/// never a stack trace. Anything else is a bug: one line too, exit 1, with the trace only under GPTNAS_DEBUG=1.
/// </summary>
public static class UserErrors
{
    public const int BadInput = 2;
    public const int Bug = 1;

    public static int Run(Func<int> body)
    {
        try { return body(); }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"error: {Message(e)}");
            return BadInput;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"internal error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("GPTNAS_DEBUG") == "1") Console.Error.WriteLine(e);
            else Console.Error.WriteLine("       (set GPTNAS_DEBUG=1 to see the stack trace)");
            return Bug;
        }
    }

    /// <summary>
    /// What the user can fix: our own refusals, files and folders (missing, read-only, a full disk), and a study store
    /// that is damaged, read-only or out of reach (SQLite and PostgreSQL errors are <see cref="DbException"/>s).
    /// </summary>
    private static bool IsUserError(Exception e) => e is GptNasException or IOException or UnauthorizedAccessException or DbException;

    private const int ReadOnlyFileSystemErrno = 30; // EROFS
    private const int NoSpaceErrno = 28; // ENOSPC: .NET's IOException carries the errno as its HResult on Unix
    private const int SqliteFull = 13, SqliteReadOnly = 8, SqliteCorrupt = 11, SqliteNotADatabase = 26;

    private static string Message(Exception e)
    {
        var first = e.Message.Split('\n')[0].Trim();
        return e switch
        {
            IOException when e.HResult == NoSpaceErrno || first.Contains("No space left", StringComparison.Ordinal) =>
                $"no space left on the device ({first}); free some space and rerun the same command: what was finished is kept",
            IOException when e.HResult == ReadOnlyFileSystemErrno || first.Contains("Read-only file system", StringComparison.Ordinal) =>
                $"the file system is read-only ({first}); give an --out on a writable one",
            UnauthorizedAccessException => $"permission denied ({first}); make the folder writable, or give another --out",
            DbException when SqliteCode(e) == SqliteFull =>
                $"no space left for the study store ({first}); free some space and rerun the same command: what was finished is kept",
            DbException when SqliteCode(e) == SqliteReadOnly =>
                $"the study store is read-only ({first}); make study.db and its folder writable, or give another --out",
            DbException when SqliteCode(e) is SqliteCorrupt or SqliteNotADatabase =>
                $"the study store is damaged ({first}); move study.db away to start the search over, or give another --out",
            DbException => $"the study store failed ({first}); check --storage and that the store is reachable and writable",
            _ => first,
        };
    }

    /// <summary>SQLite's primary result code, which Microsoft.Data.Sqlite puts in its message ("SQLite Error 13: ...").</summary>
    private static int? SqliteCode(Exception e) => (e as Microsoft.Data.Sqlite.SqliteException)?.SqliteErrorCode;
}

/// <summary>A command-line value that is wrong; the message says what to give instead.</summary>
public sealed class UsageException(string message) : GptNasException(message);
