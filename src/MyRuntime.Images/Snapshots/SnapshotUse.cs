namespace MyRuntime.Images.Snapshots;

/// <summary>What a snapshot is made of, in snapshots/ID/image.json: the image and its layers' diff ids (lowest
/// first). Removal of images and layers reads these so that nothing a mounted snapshot stands on goes away.</summary>
public sealed class SnapshotUse
{
    public string Id { get; set; } = "";

    public string ImageId { get; set; } = "";

    public List<string> DiffIds { get; set; } = [];
}
