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
            Console.Error.WriteLine($"error: {e.Message}");
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

    private static bool IsUserError(Exception e) => e is GptNasException or IOException or UnauthorizedAccessException;
}

/// <summary>A command-line value that is wrong; the message says what to give instead.</summary>
public sealed class UsageException(string message) : GptNasException(message);
