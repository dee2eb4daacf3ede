using System.Data.Common;

namespace Tracker.Web.Data;

/// <summary>Parameters for the plain SQL the metric readers send: every value travels as a parameter, never in the text.</summary>
public static class DbCommandParameters
{
    /// <summary>Adds <paramref name="value"/> as parameter <paramref name="name"/> and returns its placeholder for the SQL text.</summary>
    public static string AddParameter(this DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return "@" + name;
    }
}
