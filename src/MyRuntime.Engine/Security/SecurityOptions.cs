namespace MyRuntime.Engine.Security;

/// <summary>The --security-opt values: seccomp=unconfined|PROFILE.json, no-new-privileges[=|:true|false], and
/// label=disable, apparmor=unconfined (accepted, without effect on this host). Anything else is refused.</summary>
public sealed record SecurityOptions(bool SeccompUnconfined, string? SeccompProfile, bool NoNewPrivileges)
{
    public static SecurityOptions Parse(IEnumerable<string> options)
    {
        bool unconfined = false, noNewPrivileges = false;
        string? profile = null;
        foreach (string o in options)
        {
            int sep = o.IndexOfAny(['=', ':']);
            string key = sep < 0 ? o : o[..sep], value = sep < 0 ? string.Empty : o[(sep + 1)..];
            switch (key)
            {
                case "seccomp" when sep >= 0 && o[sep] == '=' && value.Length > 0:
                    unconfined = value == "unconfined";
                    profile = unconfined ? null : value;
                    break;
                case "no-new-privileges":
                    noNewPrivileges = value switch
                    {
                        "" or "true" => true,
                        "false" => false,
                        _ => throw new EngineException($"invalid --security-opt {o}: no-new-privileges takes true or false"),
                    };
                    break;
                case "label" when value == "disable":
                case "apparmor" when value == "unconfined":
                    break;
                default:
                    throw new EngineException($"invalid --security-opt {o}: expected seccomp=unconfined|PROFILE, no-new-privileges[=true|false], label=disable or apparmor=unconfined");
            }
        }

        return new SecurityOptions(unconfined, profile, noNewPrivileges);
    }
}
