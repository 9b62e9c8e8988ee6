using MyRuntime.Linux;

namespace MyRuntime.Images.Unpack;

/// <summary>How a layer is unpacked. <see cref="Privileged"/> (running as root): ownership is applied, device
/// nodes and FIFOs are made, and whiteouts are converted; otherwise ownership is left to the caller, device nodes
/// and FIFOs are skipped (as rootless podman does), and a whiteout is an error.</summary>
public sealed record UnpackOptions(bool Privileged)
{
    /// <summary>Privileged when the effective uid is 0.</summary>
    public static UnpackOptions ForCurrentUser() => new(Credentials.GetEuid() == 0);
}
