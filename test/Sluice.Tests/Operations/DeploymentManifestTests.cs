using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Sluice.Configuration.Settings;
using Sluice.Configuration.Toml;
using Sluice.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Sluice.Tests.Operations;

/// <summary>
/// deploy/Dockerfile and samples/kubernetes/*.yaml agree with the server: the probes hit the HTTP
/// listener of the ConfigMap's appsettings.toml, the Service reaches the SMTP listeners, the grace
/// period covers the shutdown timeout, and the image runs the published dll. (No Docker engine here:
/// the image itself is not built.)
/// </summary>
public class DeploymentManifestTests
{
    private static readonly string s_root = RepositoryRoot();

    private static readonly List<YamlMappingNode> s_documents = LoadManifests();

    [Test]
    public void The_configmap_holds_a_valid_configuration()
    {
        var (settings, errors) = ReadConfigMapSettings();
        Assert.That(errors, Is.Empty);
        Assert.That(settings.Server.Listeners.Select(l => l.Id), Is.SupersetOf(new[] { "smtp", "submission", "submissions", "http" }));
    }

    [Test]
    public void The_probes_hit_healthz_and_readyz_on_the_http_listener()
    {
        var (settings, _) = ReadConfigMapSettings();
        var httpPorts = settings.Server.Listeners.Where(l => l.Protocol == ListenerProtocol.Http).SelectMany(l => l.Bind).Select(e => e.Port).ToList();
        Assert.That(httpPorts, Has.Count.EqualTo(1));
        var container = Container();
        Assert.Multiple(() =>
        {
            Assert.That(Scalar(container, "livenessProbe", "httpGet", "path"), Is.EqualTo("/healthz"));
            Assert.That(Scalar(container, "readinessProbe", "httpGet", "path"), Is.EqualTo("/readyz"));
            Assert.That(ContainerPort(container, Scalar(container, "livenessProbe", "httpGet", "port")), Is.EqualTo(httpPorts[0]));
            Assert.That(ContainerPort(container, Scalar(container, "readinessProbe", "httpGet", "port")), Is.EqualTo(httpPorts[0]));
        });
    }

    [Test]
    public void The_service_maps_25_587_465_onto_the_smtp_listeners()
    {
        var (settings, _) = ReadConfigMapSettings();
        var smtpPorts = settings.Server.Listeners.Where(l => l.Protocol != ListenerProtocol.Http).SelectMany(l => l.Bind).Select(e => e.Port).ToHashSet();
        var service = s_documents.Single(d => Scalar(d, "kind") == "Service" && Scalar(d, "metadata", "name") == "sluice");
        var ports = ((YamlSequenceNode)Node(service, "spec", "ports")).Children.Cast<YamlMappingNode>().ToList();
        Assert.That(ports.Select(p => int.Parse(Scalar(p, "port")!, System.Globalization.CultureInfo.InvariantCulture)), Is.EquivalentTo(new[] { 25, 587, 465 }));
        var targets = ports.Select(p => ContainerPort(Container(), Scalar(p, "targetPort"))).ToHashSet();
        Assert.That(targets, Is.EquivalentTo(smtpPorts));
        Assert.That(Labels(Node(service, "spec", "selector")), Is.SubsetOf(Labels(Node(Deployment(), "spec", "template", "metadata", "labels"))));
    }

    [Test]
    public void The_grace_period_is_longer_than_the_shutdown_timeout_and_the_prestop_pause()
    {
        var (settings, _) = ReadConfigMapSettings();
        var spec = Node(Deployment(), "spec", "template", "spec");
        var grace = int.Parse(Scalar(spec, "terminationGracePeriodSeconds")!, System.Globalization.CultureInfo.InvariantCulture);
        var preStop = int.Parse(Scalar(Container(), "lifecycle", "preStop", "sleep", "seconds") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(grace, Is.GreaterThan(settings.Server.ShutdownTimeout.TotalSeconds + preStop));
        Assert.That(Scalar(Container(), "resources", "requests", "cpu"), Is.Not.Null);
        Assert.That(Scalar(Container(), "resources", "requests", "memory"), Is.Not.Null);
        Assert.That(Scalar(spec, "securityContext", "runAsNonRoot"), Is.EqualTo("true"));
    }

    [Test]
    public void The_configmap_secret_and_queue_are_mounted_where_the_image_and_the_configuration_expect_them()
    {
        var (settings, _) = ReadConfigMapSettings();
        var entryPoint = DockerEntryPoint();
        var configPath = entryPoint[entryPoint.IndexOf("--config") + 1];
        var mounts = MountPaths();
        Assert.Multiple(() =>
        {
            Assert.That(mounts["config"], Is.EqualTo(Path.GetDirectoryName(configPath)));
            Assert.That(Scalar(Volume("config"), "configMap", "name"), Is.EqualTo(Scalar(Named("ConfigMap"), "metadata", "name")));
            Assert.That(((YamlMappingNode)Node(Named("ConfigMap"), "data")).Children.Keys.Select(k => k.ToString()), Does.Contain(Path.GetFileName(configPath)));
            Assert.That(Scalar(Volume("tls"), "secret", "secretName"), Is.EqualTo(Scalar(Named("Secret"), "metadata", "name")));
            Assert.That(ConfigMapToml(), Does.Contain($"file://{mounts["tls"]}/tls.crt").And.Contain($"file://{mounts["tls"]}/tls.key"));
            Assert.That(mounts["queue"], Is.EqualTo(settings.Queue.Path));
        });
    }

    [Test]
    public void The_disruption_budget_selects_the_deployments_pods()
    {
        var pdb = Named("PodDisruptionBudget");
        Assert.That(Scalar(pdb, "spec", "minAvailable") ?? Scalar(pdb, "spec", "maxUnavailable"), Is.Not.Null);
        Assert.That(Labels(Node(pdb, "spec", "selector", "matchLabels")), Is.SubsetOf(Labels(Node(Deployment(), "spec", "template", "metadata", "labels"))));
    }

    [Test]
    public void The_dockerfile_is_multi_stage_non_root_and_runs_the_published_server_dll()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(s_root, "deploy", "Dockerfile"));
        var entryPoint = DockerEntryPoint();
        var published = typeof(Sluice.Server.ServerCommandLine).Assembly.GetName().Name + ".dll";
        var publish = dockerfile.Single(l => l.Contains("dotnet publish", StringComparison.Ordinal));
        var project = publish.Split(' ').Single(w => w.EndsWith(".csproj", StringComparison.Ordinal));
        var output = publish.Split(' ').SkipWhile(w => w != "-o").Skip(1).First();
        Assert.Multiple(() =>
        {
            Assert.That(dockerfile.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(2));
            Assert.That(File.Exists(Path.Combine(s_root, project)), project);
            Assert.That(Path.GetFileNameWithoutExtension(project) + ".dll", Is.EqualTo(published));
            Assert.That(entryPoint[0], Is.EqualTo("dotnet"));
            Assert.That(entryPoint[1], Is.EqualTo($"{output}/{published}"));
            Assert.That(dockerfile.Any(l => l.StartsWith("COPY --from=build " + output, StringComparison.Ordinal)), "the published folder is copied into the runtime stage");
            var user = dockerfile.Last(l => l.StartsWith("USER ", StringComparison.Ordinal))[5..].Trim();
            Assert.That(user, Is.Not.EqualTo("root").And.Not.EqualTo("0"));
            Assert.That(user, Is.EqualTo(Scalar(Node(Deployment(), "spec", "template", "spec"), "securityContext", "runAsUser")));
        });
    }

    private static (SluiceSettings Settings, IReadOnlyList<Sluice.Configuration.ConfigError> Errors) ReadConfigMapSettings()
    {
        // The certificate files come from the Secret at run time: stand in a self-signed pair for them.
        using var dir = new TempDir();
        var (cert, key) = TestCertificates.SelfSigned("mx.example.com");
        File.WriteAllText(Path.Combine(dir.Path, "tls.crt"), cert);
        File.WriteAllText(Path.Combine(dir.Path, "tls.key"), key);
        var toml = ConfigMapToml().Replace($"file://{MountPaths()["tls"]}/", $"file://{dir.Path}/", StringComparison.Ordinal);
        var path = dir.File("appsettings.toml", toml);
        var configuration = new ConfigurationBuilder().AddTomlFile(path).Build();
        return SluiceSettingsReader.Read(configuration);
    }

    private static string ConfigMapToml() => Scalar(Named("ConfigMap"), "data", "appsettings.toml")!;

    private static List<string> DockerEntryPoint()
    {
        var line = File.ReadAllLines(Path.Combine(s_root, "deploy", "Dockerfile")).Single(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal));
        return JsonSerializer.Deserialize<List<string>>(line["ENTRYPOINT ".Length..])!;
    }

    private static YamlMappingNode Named(string kind) => s_documents.Single(d => Scalar(d, "kind") == kind);

    private static YamlMappingNode Deployment() => Named("Deployment");

    private static YamlMappingNode Container() =>
        (YamlMappingNode)((YamlSequenceNode)Node(Deployment(), "spec", "template", "spec", "containers")).Children.Single();

    private static YamlMappingNode Volume(string name) =>
        ((YamlSequenceNode)Node(Deployment(), "spec", "template", "spec", "volumes")).Children.Cast<YamlMappingNode>().Single(v => Scalar(v, "name") == name);

    private static Dictionary<string, string> MountPaths() =>
        ((YamlSequenceNode)Node(Container(), "volumeMounts")).Children.Cast<YamlMappingNode>()
            .ToDictionary(m => Scalar(m, "name")!, m => Scalar(m, "mountPath")!);

    /// <summary>A probe's or Service's port (a number, or the name of a container port) as the container port number.</summary>
    private static int ContainerPort(YamlMappingNode container, string? port)
    {
        Assert.That(port, Is.Not.Null);
        if (int.TryParse(port, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }
        var named = ((YamlSequenceNode)Node(container, "ports")).Children.Cast<YamlMappingNode>().Single(p => Scalar(p, "name") == port);
        return int.Parse(Scalar(named, "containerPort")!, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static HashSet<string> Labels(YamlNode node) =>
        ((YamlMappingNode)node).Children.Select(kv => $"{kv.Key}={kv.Value}").ToHashSet();

    private static YamlNode Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            Assert.That(node, Is.InstanceOf<YamlMappingNode>(), $"'{key}' under a mapping");
            var mapping = (YamlMappingNode)node;
            Assert.That(mapping.Children.ContainsKey(key), $"key '{key}' present");
            node = mapping.Children[key];
        }
        return node;
    }

    private static string? Scalar(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(key, out var child))
            {
                return null;
            }
            node = child;
        }
        return (node as YamlScalarNode)?.Value;
    }

    private static List<YamlMappingNode> LoadManifests()
    {
        var documents = new List<YamlMappingNode>();
        foreach (var file in Directory.GetFiles(Path.Combine(s_root, "samples", "kubernetes"), "*.yaml").Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(file);
            stream.Load(reader);
            documents.AddRange(stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()
                .Where(d => Scalar(d, "kind") is not (null or "Kustomization")));
        }
        return documents;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        for (var i = 0; i < 20 && dir is not null; i++, dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sluice.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("no Sluice.slnx above " + AppContext.BaseDirectory);
    }
}
