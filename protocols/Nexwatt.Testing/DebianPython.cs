namespace Nexwatt.Testing;

/// <summary>
/// Debian's Python packages (python3-pymodbus, python3-paho-mqtt...) install for Debian's own interpreter,
/// so peers written in Python run with /usr/bin/python3, never whatever python3 is first on PATH.
/// </summary>
public static class DebianPython
{
    public const string Interpreter = "/usr/bin/python3";

    public static PeerProcess Start(string scriptPath, params string[] arguments)
    {
        if (!File.Exists(Interpreter))
            throw new InvalidOperationException($"{Interpreter} is missing; run bash scripts/test.sh, which installs the test peers.");
        return PeerProcess.Start(Interpreter, new[] { "-u", scriptPath }.Concat(arguments));
    }
}
