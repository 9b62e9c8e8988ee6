using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Images.Reference;
using MyRuntime.Images.Store;
using MyRuntime.Oci.ImageSpec;

namespace MyRuntime.Commands.Images;

/// <summary>images [-q] [--no-trunc] [--digests] (also image ls): the table REPOSITORY TAG IMAGE ID CREATED SIZE.</summary>
public static class ImagesCommand
{
    public static Command Build(GlobalOptions g, string name)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print only image ids" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "do not shorten image ids" };
        var digests = new Option<bool>("--digests") { Description = "show digests" };
        var cmd = new Command(name, "list images") { quiet, noTrunc, digests };
        cmd.SetAction(r => CliRunner.Run(g, r, _ =>
        {
            var store = new ImageStore(new StoreLayout(r.GetValue(g.StorageRoot)!));
            bool full = r.GetValue(noTrunc);
            var records = store.List();
            string Id(ImageRecord rec) => full ? rec.Id : ImageRemoval.Short(rec.Id);
            if (r.GetValue(quiet))
            {
                foreach (string id in records.Select(Id).Distinct())
                {
                    Console.Out.WriteLine(id);
                }

                return 0;
            }

            bool showDigests = r.GetValue(digests);
            var header = new List<string> { "REPOSITORY", "TAG" };
            if (showDigests)
            {
                header.Add("DIGEST");
            }

            header.AddRange(["IMAGE ID", "CREATED", "SIZE"]);
            var rows = new List<string[]> { header.ToArray() };
            var now = DateTimeOffset.UtcNow;
            foreach (var rec in records)
            {
                foreach (var (repo, tag) in Names(rec))
                {
                    var row = new List<string> { repo, tag };
                    if (showDigests)
                    {
                        row.Add(DigestFor(rec, repo));
                    }

                    row.AddRange([Id(rec), ImageFormat.Ago(rec.Created, now), ImageFormat.Size(rec.Size)]);
                    rows.Add(row.ToArray());
                }
            }

            Table.Write(rows);
            return 0;
        }));
        return cmd;
    }

    /// <summary>One (repository, tag) row per tag; "&lt;none&gt;" for an image without tags.</summary>
    private static IEnumerable<(string Repo, string Tag)> Names(ImageRecord rec)
    {
        if (rec.RepoTags.Count == 0)
        {
            string repo = rec.RepoDigests.Count > 0 && ImageReference.TryParse(rec.RepoDigests[0], out var d, out _) ? d.FamiliarName : "<none>";
            yield return (repo, "<none>");
            yield break;
        }

        foreach (string t in rec.RepoTags)
        {
            var reference = ImageReference.Parse(t);
            yield return (reference.FamiliarName, reference.Tag ?? "<none>");
        }
    }

    private static string DigestFor(ImageRecord rec, string familiarRepo)
    {
        foreach (string d in rec.RepoDigests)
        {
            if (ImageReference.TryParse(d, out var reference, out _) && reference.FamiliarName == familiarRepo && reference.Digest is Digest digest)
            {
                return digest.ToString();
            }
        }

        return "<none>";
    }
}
