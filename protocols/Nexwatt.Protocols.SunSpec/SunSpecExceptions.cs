namespace Nexwatt.Protocols.SunSpec;

/// <summary>Base of every error this library raises about SunSpec definitions, register content or values.</summary>
public class SunSpecException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public SunSpecException(string message, Exception? innerException = null) : base(message, innerException) { }
}

/// <summary>A model definition (JSON) is malformed or inconsistent; the message names the source and the problem.</summary>
public sealed class SunSpecDefinitionException : SunSpecException
{
    /// <summary>Creates the exception for <paramref name="sourceName"/>.</summary>
    public SunSpecDefinitionException(string sourceName, string problem, Exception? innerException = null)
        : base($"SunSpec model definition '{sourceName}': {problem}", innerException)
    {
        SourceName = sourceName;
        Problem = problem;
    }

    /// <summary>The file or resource that holds the bad definition.</summary>
    public string SourceName { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}

/// <summary>A value cannot be written to a point (read-only, out of range, no scale factor, wrong type).</summary>
public sealed class SunSpecEncodingException : SunSpecException
{
    /// <summary>Creates the exception with a message.</summary>
    public SunSpecEncodingException(string message) : base(message) { }
}

/// <summary>Register content does not fit the model (wrong model id, unknown point path, block too short).</summary>
public sealed class SunSpecDecodingException : SunSpecException
{
    /// <summary>Creates the exception with a message.</summary>
    public SunSpecDecodingException(string message) : base(message) { }
}
