namespace MyRuntime.Linux;

/// <summary>Reading /proc/PID/mountinfo lines.</summary>
public static class MountInfo
{
    /// <summary>A path field of mountinfo as it is: the kernel writes space, tab, newline and backslash as \ooo
    /// octal escapes.</summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var sb = new System.Text.StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.AsSpan(i + 1, 3).IndexOfAnyExceptInRange('0', '7') < 0)
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }

        return sb.ToString();
    }
}
