using System.Text;

namespace MyRuntime.Images.Registry;

/// <summary>A user name and password for one registry.</summary>
public sealed record RegistryCredentials(string Username, string Password)
{
    /// <summary>base64(user:pass), the value of an auth file entry and of a Basic Authorization header.</summary>
    public string Encoded => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));

    public static RegistryCredentials? Decode(string? auth)
    {
        if (string.IsNullOrEmpty(auth))
        {
            return null;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
        }
        catch (FormatException)
        {
            return null;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? null : new RegistryCredentials(text[..colon], text[(colon + 1)..]);
    }
}
