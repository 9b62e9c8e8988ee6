using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MyRuntime.IntegrationTests.Infrastructure;

/// <summary>
/// A bundle directory whose config.json is derived from the test image's config.json.
/// By default <c>root.path</c> is the shared image rootfs (absolute path, read-only root);
/// <see cref="UsePrivateRootfs"/> switches to a private copy a test may modify.
/// Edit <see cref="Config"/> (or use the helpers) and call <see cref="Save"/> before use.
/// </summary>
public sealed class Bundle
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public Bundle(string dir)
    {
        Dir = dir;
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, TestSettings.DirMode);
        Config = JsonNode.Parse(File.ReadAllText(TestSettings.ImageConfigPath))?.AsObject()
            ?? throw new InvalidOperationException("image config.json is not a JSON object");
        var root = Config["root"] as JsonObject ?? new JsonObject();
        Config["root"] = root;
        root["path"] = TestSettings.ImageRootfs;
        root["readonly"] = true;
        RootfsPath = TestSettings.ImageRootfs;
    }

    public string Dir { get; }

    public string ConfigPath => Path.Combine(Dir, "config.json");

    public JsonObject Config { get; }

    /// <summary>Absolute host path of the rootfs the bundle uses.</summary>
    public string RootfsPath { get; private set; }

    public JsonObject Process => Obj(Config, "process");

    public JsonObject Linux => Obj(Config, "linux");

    public string? Hostname => Config["hostname"]?.GetValue<string>();

    public Bundle Args(params string[] args)
    {
        Process["args"] = new JsonArray(args.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray());
        return this;
    }

    /// <summary>Sets process.args to <c>sh -c SCRIPT</c>.</summary>
    public Bundle Shell(string script) => Args("sh", "-c", script);

    public Bundle Terminal(bool terminal)
    {
        Process["terminal"] = terminal;
        return this;
    }

    public Bundle User(uint uid, uint gid)
    {
        var user = Obj(Process, "user");
        user["uid"] = uid;
        user["gid"] = gid;
        return this;
    }

    public Bundle SetHostname(string hostname)
    {
        Config["hostname"] = hostname;
        return this;
    }

    public Bundle AddEnv(string kv)
    {
        var env = Process["env"] as JsonArray ?? new JsonArray();
        Process["env"] = env;
        env.Add((JsonNode)JsonValue.Create(kv));
        return this;
    }

    public Bundle AddNamespace(string type, string? path = null)
    {
        var ns = Namespaces();
        var entry = new JsonObject { ["type"] = type };
        if (path is not null)
        {
            entry["path"] = path;
        }

        ns.Add((JsonNode)entry);
        return this;
    }

    public Bundle RemoveNamespace(string type)
    {
        var ns = Namespaces();
        foreach (var n in ns.Where(n => n?["type"]?.GetValue<string>() == type).ToList())
        {
            ns.Remove(n);
        }

        return this;
    }

    public IReadOnlyList<string> NamespaceTypes =>
        Namespaces().Select(n => n?["type"]?.GetValue<string>() ?? "").ToArray();

    public Bundle UserNamespace(uint hostId, uint size)
    {
        if (!NamespaceTypes.Contains("user"))
        {
            AddNamespace("user");
        }

        Linux["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = hostId, ["size"] = size });
        Linux["gidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = hostId, ["size"] = size });
        return this;
    }

    public Bundle AddMount(string destination, string type, string source, params string[] options)
    {
        var mounts = Config["mounts"] as JsonArray ?? new JsonArray();
        Config["mounts"] = mounts;
        mounts.Add((JsonNode)new JsonObject
        {
            ["destination"] = destination,
            ["type"] = type,
            ["source"] = source,
            ["options"] = new JsonArray(options.Select(o => (JsonNode?)JsonValue.Create(o)).ToArray()),
        });
        return this;
    }

    /// <summary>Adds a hook (prestart, createRuntime, poststart, poststop, ...).</summary>
    public Bundle AddHook(string kind, string path, string[] args, int? timeoutSeconds = null)
    {
        var hooks = Obj(Config, "hooks");
        var list = hooks[kind] as JsonArray ?? new JsonArray();
        hooks[kind] = list;
        var hook = new JsonObject
        {
            ["path"] = path,
            ["args"] = new JsonArray(args.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
        };
        if (timeoutSeconds is not null)
        {
            hook["timeout"] = timeoutSeconds.Value;
        }

        list.Add((JsonNode)hook);
        return this;
    }

    public Bundle Annotation(string key, string value)
    {
        Obj(Config, "annotations")[key] = value;
        return this;
    }

    /// <summary>
    /// Copies the image rootfs into &lt;bundle&gt;/rootfs (cp -a: keeps symlinks, modes, owners)
    /// and points root.path at it (relative path, as in a classic bundle).
    /// </summary>
    public Bundle UsePrivateRootfs()
    {
        var dest = Path.Combine(Dir, "rootfs");
        var psi = new ProcessStartInfo("cp") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add("-a");
        psi.ArgumentList.Add(TestSettings.ImageRootfs);
        psi.ArgumentList.Add(dest);
        using (var p = System.Diagnostics.Process.Start(psi)!)
        {
            var errTask = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(60_000))
            {
                p.Kill(true);
                throw new TimeoutException("cp -a of the rootfs timed out");
            }

            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException("cp -a failed: " + errTask.Result);
            }
        }

        Obj(Config, "root")["path"] = "rootfs";
        RootfsPath = dest;
        return this;
    }

    public Bundle Save()
    {
        File.WriteAllText(ConfigPath, Config.ToJsonString(s_indented));
        return this;
    }

    private JsonArray Namespaces()
    {
        var ns = Linux["namespaces"] as JsonArray ?? new JsonArray();
        Linux["namespaces"] = ns;
        return ns;
    }

    private static JsonObject Obj(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject o)
        {
            return o;
        }

        o = new JsonObject();
        parent[name] = o;
        return o;
    }
}
