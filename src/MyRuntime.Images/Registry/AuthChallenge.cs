namespace MyRuntime.Images.Registry;

/// <summary>One challenge of a <c>WWW-Authenticate</c> header: its scheme (Bearer, Basic) and parameters
/// (realm, service, scope, error).</summary>
public sealed class AuthChallenge
{
    public AuthChallenge(string scheme, IReadOnlyDictionary<string, string> parameters)
    {
        Scheme = scheme;
        Parameters = parameters;
    }

    public string Scheme { get; }

    public IReadOnlyDictionary<string, string> Parameters { get; }

    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? this[string name] => Parameters.TryGetValue(name, out string? v) ? v : null;

    /// <summary>The challenges in one header value: <c>Scheme k="v", k2=v2, Scheme2 ...</c>. Quoted values may hold
    /// commas and backslash escapes.</summary>
    public static List<AuthChallenge> Parse(string header)
    {
        var result = new List<AuthChallenge>();
        int i = 0;
        string? scheme = null;
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (i < header.Length)
        {
            SkipSpacesAndCommas(header, ref i);
            int start = i;
            while (i < header.Length && IsTokenChar(header[i]))
            {
                i++;
            }

            if (i == start)
            {
                i++;
                continue;
            }

            string token = header[start..i];
            int j = i;
            while (j < header.Length && header[j] == ' ')
            {
                j++;
            }

            if (j < header.Length && header[j] == '=')
            {
                i = j + 1;
                while (i < header.Length && header[i] == ' ')
                {
                    i++;
                }

                parameters[token] = ReadValue(header, ref i);
            }
            else
            {
                if (scheme is not null)
                {
                    result.Add(new AuthChallenge(scheme, parameters));
                }

                scheme = token;
                parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            }
        }

        if (scheme is not null)
        {
            result.Add(new AuthChallenge(scheme, parameters));
        }

        return result;
    }

    private static string ReadValue(string s, ref int i)
    {
        if (i < s.Length && s[i] == '"')
        {
            i++;
            var sb = new System.Text.StringBuilder();
            while (i < s.Length && s[i] != '"')
            {
                if (s[i] == '\\' && i + 1 < s.Length)
                {
                    i++;
                }

                sb.Append(s[i]);
                i++;
            }

            i++;
            return sb.ToString();
        }

        int start = i;
        while (i < s.Length && s[i] != ',' && s[i] != ' ')
        {
            i++;
        }

        return s[start..i];
    }

    private static void SkipSpacesAndCommas(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or ',' or '\t')
        {
            i++;
        }
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '^' or '`' or '|' or '~';
}
