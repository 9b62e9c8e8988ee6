using MyRuntime.Oci.RuntimeSpec;

namespace MyRuntime.Runtime.Config;

/// <summary>Checks a spec for what would fail half-way through creation, so that it fails before anything is made.</summary>
public static class SpecValidator
{
    /// <summary>Validates and returns the absolute rootfs path.</summary>
    public static string Validate(Spec spec, string bundle)
    {
        if (string.IsNullOrWhiteSpace(spec.OciVersion))
        {
            throw new RuntimeException("config.json: ociVersion is missing");
        }

        if (spec.Root is null || string.IsNullOrEmpty(spec.Root.Path))
        {
            throw new RuntimeException("config.json: root.path is missing");
        }

        if (spec.Root.Path.Contains('\0', StringComparison.Ordinal))
        {
            throw new RuntimeException("config.json: root.path contains a NUL character");
        }

        string rootfs = Path.GetFullPath(spec.Root.Path, bundle);
        if (!Directory.Exists(rootfs))
        {
            throw new RuntimeException($"rootfs {rootfs} does not exist");
        }

        if (spec.Process is null)
        {
            throw new RuntimeException("config.json: process is missing");
        }

        ValidateProcess(spec.Process, "config.json");
        ValidateNamespaces(spec);

        foreach (var m in spec.Mounts ?? [])
        {
            if (m is null)
            {
                throw new RuntimeException("config.json: mounts holds a null entry");
            }

            if (string.IsNullOrEmpty(m.Destination) || !m.Destination.StartsWith('/'))
            {
                throw new RuntimeException($"config.json: mount destination '{m.Destination}' is not absolute");
            }

            if (m.UidMappings is { Count: > 0 } || m.GidMappings is { Count: > 0 })
            {
                throw new RuntimeException($"config.json: mount {m.Destination}: uidMappings/gidMappings (idmapped mounts) are not supported");
            }
        }

        foreach (var d in spec.Linux?.Devices ?? [])
        {
            if (d is null || string.IsNullOrEmpty(d.Path))
            {
                throw new RuntimeException("config.json: a device has no path");
            }

            if (d.Type is not ("c" or "b" or "u" or "p"))
            {
                throw new RuntimeException($"config.json: device {d.Path} has unknown type '{d.Type}'");
            }

            if (!d.Path.StartsWith("/dev/", StringComparison.Ordinal))
            {
                throw new RuntimeException($"config.json: device path {d.Path} is not under /dev");
            }
        }

        if (!string.IsNullOrEmpty(spec.Linux?.MountLabel) && !SecurityModules.SelinuxEnabled())
        {
            throw new RuntimeException("config.json: linux.mountLabel is specified but SELinux is not enabled on this host");
        }

        if (spec.Linux?.Extra?.GetValueOrDefault("timeOffsets") is { ValueKind: not System.Text.Json.JsonValueKind.Null })
        {
            throw new RuntimeException("config.json: linux.timeOffsets needs a time namespace, which is not supported");
        }

        if (spec.Linux?.IntelRdt is { ValueKind: not System.Text.Json.JsonValueKind.Null })
        {
            throw new RuntimeException("config.json: linux.intelRdt is not supported (no resctrl support)");
        }

        if (spec.Linux?.Personality is { } persona)
        {
            if (Linux.Scheduling.PersonalityDomain(persona.Domain) < 0)
            {
                throw new RuntimeException($"config.json: linux.personality.domain '{persona.Domain}' is not LINUX or LINUX32");
            }

            if (persona.Flags is { Count: > 0 })
            {
                throw new RuntimeException("config.json: linux.personality.flags are not supported (the spec defines none)");
            }
        }

        ValidateHooks(spec.Hooks);
        return rootfs;
    }

    public static void ValidateProcess(Process p, string where)
    {
        if (p.Args is null || p.Args.Count == 0 || string.IsNullOrEmpty(p.Args[0]))
        {
            throw new RuntimeException($"{where}: process.args must not be empty");
        }

        if (string.IsNullOrEmpty(p.Cwd) || !p.Cwd.StartsWith('/'))
        {
            throw new RuntimeException($"{where}: process.cwd '{p.Cwd}' is not an absolute path");
        }

        foreach (var r in p.Rlimits ?? [])
        {
            if (r is null || string.IsNullOrEmpty(r.Type) || Linux.Limits.Parse(r.Type) < 0)
            {
                throw new RuntimeException($"{where}: unknown rlimit type {r?.Type}");
            }
        }

        ValidateScheduling(p, where);

        if (!string.IsNullOrEmpty(p.ApparmorProfile) && !SecurityModules.AppArmorEnabled())
        {
            throw new RuntimeException($"{where}: apparmor profile specified but AppArmor is not enabled on this host");
        }

        if (!string.IsNullOrEmpty(p.SelinuxLabel) && !SecurityModules.SelinuxEnabled())
        {
            throw new RuntimeException($"{where}: process.selinuxLabel is specified but SELinux is not enabled on this host");
        }

        var c = p.Capabilities;
        foreach (var set in new[] { c?.Bounding, c?.Effective, c?.Permitted, c?.Inheritable, c?.Ambient })
        {
            foreach (string name in set ?? [])
            {
                if (string.IsNullOrEmpty(name) || Linux.Capabilities.Parse(name) < 0)
                {
                    throw new RuntimeException($"{where}: unknown capability {name}");
                }
            }
        }
    }

    /// <summary>process.scheduler, ioPriority and execCPUAffinity: names the kernel knows, values in range.</summary>
    private static void ValidateScheduling(Process p, string where)
    {
        if (p.Scheduler is { } s)
        {
            if (Linux.Scheduling.Policy(s.Policy) < 0)
            {
                throw new RuntimeException($"{where}: process.scheduler.policy '{s.Policy}' is not a scheduling policy");
            }

            foreach (string flag in s.Flags ?? [])
            {
                if (Linux.Scheduling.Flag(flag ?? string.Empty) == 0)
                {
                    throw new RuntimeException($"{where}: process.scheduler.flags: unknown flag '{flag}'");
                }
            }

            if (s.Nice is < -20 or > 19)
            {
                throw new RuntimeException($"{where}: process.scheduler.nice {s.Nice} is outside -20..19");
            }

            if (s.Priority is < 0)
            {
                throw new RuntimeException($"{where}: process.scheduler.priority {s.Priority} is negative");
            }
        }

        if (p.IoPriority is { } io && Linux.Scheduling.IoPriority(io.Class, io.Priority) < 0)
        {
            throw new RuntimeException($"{where}: process.ioPriority: class '{io.Class}' with priority {io.Priority} is not an I/O priority (IOPRIO_CLASS_RT, _BE or _IDLE, 0-7)");
        }

        if (p.ExecCpuAffinity is { } a)
        {
            _ = string.IsNullOrEmpty(a.Initial) ? null : CpuList.Parse(a.Initial, $"{where}: process.execCPUAffinity.initial");
            _ = string.IsNullOrEmpty(a.Final) ? null : CpuList.Parse(a.Final, $"{where}: process.execCPUAffinity.final");
        }
    }

    private static void ValidateNamespaces(Spec spec)
    {
        var seen = new HashSet<string>();
        foreach (var ns in spec.Linux?.Namespaces ?? [])
        {
            string type = ns?.Type ?? string.Empty;
            if (type == "time")
            {
                // CLONE_NEWTIME lies in clone()'s exit-signal byte: it needs unshare or clone3, which the spawner does not use.
                throw new RuntimeException("config.json: time namespaces are not supported");
            }

            if (ns is null || NamespaceKinds.Flag(type) is null)
            {
                throw new RuntimeException($"config.json: unknown namespace type '{type}'");
            }

            if (!seen.Add(type))
            {
                throw new RuntimeException($"config.json: namespace '{ns.Type}' is listed twice");
            }

            if (!string.IsNullOrEmpty(ns.Path) && !File.Exists(ns.Path))
            {
                throw new RuntimeException($"config.json: {ns.Type} namespace path {ns.Path} does not exist");
            }
        }

        bool hasUser = seen.Contains("user");
        if (hasUser && (spec.Linux?.UidMappings is not { Count: > 0 } || spec.Linux?.GidMappings is not { Count: > 0 })
            && string.IsNullOrEmpty(spec.Linux!.Namespaces!.First(n => n.Type == "user").Path))
        {
            throw new RuntimeException("config.json: a new user namespace needs uidMappings and gidMappings");
        }

        if (!hasUser && (spec.Linux?.UidMappings is { Count: > 0 } || spec.Linux?.GidMappings is { Count: > 0 }))
        {
            throw new RuntimeException("config.json: uidMappings given without a user namespace");
        }

        if (!string.IsNullOrEmpty(spec.Hostname) && !seen.Contains("uts"))
        {
            throw new RuntimeException("config.json: hostname needs a private uts namespace");
        }

        if (!seen.Contains("mount"))
        {
            throw new RuntimeException("config.json: a mount namespace is required");
        }
    }

    private static void ValidateHooks(Oci.RuntimeSpec.Hooks? hooks)
    {
        if (hooks is null)
        {
            return;
        }

        foreach (var list in new[] { hooks.Prestart, hooks.CreateRuntime, hooks.CreateContainer, hooks.StartContainer, hooks.Poststart, hooks.Poststop })
        {
            foreach (var h in list ?? [])
            {
                if (h is null || string.IsNullOrEmpty(h.Path) || !h.Path.StartsWith('/'))
                {
                    throw new RuntimeException($"config.json: hook path '{h?.Path}' is not absolute");
                }

                if (h.Timeout is <= 0)
                {
                    throw new RuntimeException($"config.json: hook {h.Path} has a timeout that is not positive");
                }
            }
        }
    }
}
