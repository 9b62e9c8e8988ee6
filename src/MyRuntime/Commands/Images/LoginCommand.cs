using System.CommandLine;
using MyRuntime.Cli;
using MyRuntime.Images;
using MyRuntime.Images.Registry;

namespace MyRuntime.Commands.Images;

/// <summary>login [-u U] [-p P | --password-stdin] SERVER (credentials checked against the registry, then saved)
/// and logout SERVER.</summary>
public static class LoginCommand
{
    public static Command Build(GlobalOptions g)
    {
        var server = new Argument<string>("server") { Description = "registry host[:port]" };
        var user = new Option<string?>("--username", "-u") { Description = "user name" };
        var password = new Option<string?>("--password", "-p") { Description = "password (prefer --password-stdin)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "read the password from stdin" };
        var cmd = new Command("login", "log in to a registry") { server, user, password, passwordStdin };
        cmd.SetAction(r => CliRunner.Run(g, r, _ =>
        {
            string host = CredentialStore.Normalize(r.GetValue(server)!);
            string? u = r.GetValue(user);
            string? p = r.GetValue(password);
            if (r.GetValue(passwordStdin))
            {
                if (p is not null)
                {
                    throw new ImagesException("--password and --password-stdin are mutually exclusive");
                }

                if (u is null)
                {
                    throw new ImagesException("--password-stdin needs --username");
                }

                p = Console.In.ReadToEnd().TrimEnd('\n', '\r');
            }

            if (u is null)
            {
                u = Prompt("Username: ", echo: true);
            }

            p ??= Prompt("Password: ", echo: false);
            if (u.Length == 0 || p.Length == 0)
            {
                throw new ImagesException("login needs a username and a password");
            }

            var creds = new RegistryCredentials(u, p);
            string apiHost = host == MyRuntime.Images.Reference.ImageReference.DockerHub ? "registry-1.docker.io" : host;
            using (var client = new RegistryClient(host, apiHost, creds))
            {
                client.VerifyCredentialsAsync(CancellationToken.None).GetAwaiter().GetResult();
            }

            var store = CredentialStore.FromEnvironment();
            store.Save(host, creds);
            Console.Out.WriteLine("Login Succeeded");
            return 0;
        }));
        return cmd;
    }

    public static Command BuildLogout(GlobalOptions g)
    {
        var server = new Argument<string>("server") { Description = "registry host[:port]" };
        var cmd = new Command("logout", "forget a registry's credentials") { server };
        cmd.SetAction(r => CliRunner.Run(g, r, _ =>
        {
            string host = CredentialStore.Normalize(r.GetValue(server)!);
            Console.Out.WriteLine(CredentialStore.FromEnvironment().Remove(host)
                ? $"Removing login credentials for {host}"
                : $"Not logged in to {host}");
            return 0;
        }));
        return cmd;
    }

    private static string Prompt(string text, bool echo)
    {
        if (Console.IsInputRedirected)
        {
            throw new ImagesException("login needs --username and --password or --password-stdin when stdin is not a terminal");
        }

        Console.Error.Write(text);
        if (echo)
        {
            return Console.ReadLine() ?? "";
        }

        var sb = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return sb.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (sb.Length > 0)
                {
                    sb.Length--;
                }
            }
            else
            {
                sb.Append(key.KeyChar);
            }
        }
    }
}
