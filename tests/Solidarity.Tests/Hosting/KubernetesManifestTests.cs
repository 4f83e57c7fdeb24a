using System.Text.RegularExpressions;
using Solidarity.Web.Infrastructure.Hosting;
using YamlDotNet.RepresentationModel;

namespace Solidarity.Tests.Hosting;

/// <summary>
/// deploy/kubernetes read as Kubernetes reads it: every process gets the settings Production refuses to start without,
/// the web pods are spread, probed and scaled as one set, and the Secret template gives nothing away.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private const string Web = "solidarity-web";
    private const string Worker = "solidarity-worker";
    private const string Migrate = "solidarity-migrate";

    private static readonly string Root = RepositoryRoot();
    private static readonly string Folder = Path.Combine(Root, "deploy", "kubernetes");
    private static readonly IReadOnlyList<Manifest> Manifests = Load(Folder);

    public static TheoryData<string> Processes => [Web, Worker, Migrate];

    [Fact]
    public void Kustomization_applies_every_manifest_but_the_secret_template()
    {
        var kustomization = Parse(Path.Combine(Folder, "kustomization.yaml")).Single();
        var resources = Sequence(kustomization.Root, "resources").Select(r => ((YamlScalarNode)r).Value!).Order(StringComparer.Ordinal);

        var manifests = Directory.EnumerateFiles(Folder, "*.yaml").Select(Path.GetFileName)
            .Where(f => f is not ("kustomization.yaml" or "secret.yaml")).Order(StringComparer.Ordinal);

        Assert.Equal(manifests, resources);
    }

    /// <summary>Every process runs the same start-up checks, `migrate` included, so each needs every setting they demand.</summary>
    [Theory]
    [MemberData(nameof(Processes))]
    public void Each_process_gets_every_setting_Production_refuses_to_start_without(string workload)
    {
        var settings = Settings(Workload(workload));

        var missing = ProductionSettings.Required.Select(ProductionSettings.EnvironmentVariable)
            .Where(name => string.IsNullOrWhiteSpace(settings.GetValueOrDefault(name)));

        Assert.Empty(missing);
    }

    /// <summary>The certificate that encrypts the data-protection keys is a file: each process must have it mounted where the setting says.</summary>
    [Theory]
    [MemberData(nameof(Processes))]
    public void Each_process_mounts_the_data_protection_certificate_from_a_secret(string workload)
    {
        var path = Settings(Workload(workload))[ProductionSettings.EnvironmentVariable(DataProtectionHosting.CertificatePathSetting)]!;
        var container = Container(Workload(workload));

        var mount = Assert.Single(Sequence(container, "volumeMounts"), m => path.StartsWith(Text(m, "mountPath") + "/", StringComparison.Ordinal));
        var volume = Assert.Single(Sequence(PodSpec(Workload(workload)), "volumes"), v => Text(v, "name") == Text(mount, "name"));
        var file = path[(Text(mount, "mountPath")!.Length + 1)..];
        Assert.Contains(Sequence(volume, "secret", "items"), item => Text(item, "path") == file);
    }

    /// <summary>compose.yaml marks with `:?` what an installation must set (the organisation and the sender too): so must Kubernetes.</summary>
    [Theory]
    [MemberData(nameof(Processes))]
    public void Each_process_gets_every_setting_the_compose_file_demands(string workload)
    {
        var settings = Settings(Workload(workload));

        var missing = ComposeDemands().Where(name => string.IsNullOrWhiteSpace(settings.GetValueOrDefault(name)));

        Assert.Empty(missing);
    }

    /// <summary>Anywhere else the start-up checks are off, and Development would start a database of its own and seed demo data.</summary>
    [Theory]
    [MemberData(nameof(Processes))]
    public void Each_process_runs_as_Production(string workload) =>
        Assert.Equal("Production", Settings(Workload(workload)).GetValueOrDefault("ASPNETCORE_ENVIRONMENT"));

    [Theory]
    [InlineData(Web, new[] { "--role", "web" })]
    [InlineData(Worker, new[] { "--role", "worker" })]
    [InlineData(Migrate, new[] { "migrate" })]
    public void Each_process_runs_its_role(string workload, string[] args) =>
        Assert.Equal(args, Sequence(Container(Workload(workload)), "args").Select(a => ((YamlScalarNode)a).Value));

    [Theory]
    [MemberData(nameof(Processes))]
    public void Each_process_runs_as_a_user_that_is_not_root_and_cannot_gain_privileges(string workload)
    {
        var pod = PodSpec(Workload(workload));
        var container = Container(Workload(workload));

        Assert.Equal("true", Text(pod, "securityContext", "runAsNonRoot"));
        Assert.NotEqual("0", Text(pod, "securityContext", "runAsUser"));
        Assert.Equal("false", Text(container, "securityContext", "allowPrivilegeEscalation"));
    }

    [Theory]
    [MemberData(nameof(Processes))]
    public void Each_process_has_resource_requests_and_limits(string workload)
    {
        var container = Container(Workload(workload));

        Assert.All(new[] { "requests", "limits" }, bound => Assert.All(new[] { "cpu", "memory" }, resource =>
            Assert.False(string.IsNullOrWhiteSpace(Text(container, "resources", bound, resource)), $"resources.{bound}.{resource} is not set")));
    }

    [Fact]
    public void Web_runs_two_replicas_or_more()
    {
        var replicas = int.Parse(Text(Workload(Web).Root, "spec", "replicas")!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(replicas >= 2, $"{replicas} web replica(s): one pod's restart would take the site down.");
    }

    [Fact]
    public void Web_takes_traffic_when_ready_and_is_restarted_only_when_it_stops_answering()
    {
        var container = Container(Workload(Web));

        Assert.Equal(HealthHosting.ReadyPath, Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal(HealthHosting.LivePath, Text(container, "livenessProbe", "httpGet", "path"));
    }

    [Fact]
    public void Worker_serves_no_http_so_has_no_http_probe_or_port()
    {
        var container = Container(Workload(Worker));

        Assert.DoesNotContain(container.AllNodes.OfType<YamlMappingNode>(), node => node.Children.ContainsKey("httpGet"));
        Assert.Null(At(container, "ports"));
    }

    [Fact]
    public void Autoscaler_scales_the_web_deployment_and_never_below_two()
    {
        var autoscaler = Single("HorizontalPodAutoscaler");

        Assert.Equal("autoscaling/v2", Text(autoscaler.Root, "apiVersion"));
        Assert.Equal("Deployment", Text(autoscaler.Root, "spec", "scaleTargetRef", "kind"));
        Assert.Equal(Web, Text(autoscaler.Root, "spec", "scaleTargetRef", "name"));
        Assert.True(int.Parse(Text(autoscaler.Root, "spec", "minReplicas")!, System.Globalization.CultureInfo.InvariantCulture) >= 2);
        Assert.Contains(Sequence(autoscaler.Root, "spec", "metrics"), metric => Text(metric, "resource", "name") == "cpu");
    }

    [Theory]
    [InlineData("PodDisruptionBudget")]
    [InlineData("Service")]
    public void Selects_the_web_pods_and_no_others(string kind)
    {
        var selector = kind == "Service"
            ? Labels(At(Single(kind).Root, "spec", "selector"))
            : Labels(At(Single(kind).Root, "spec", "selector", "matchLabels"));

        Assert.NotEmpty(selector);
        Assert.True(Selects(selector, Workload(Web)), $"The {kind} does not select the web pods.");
        Assert.False(Selects(selector, Workload(Worker)), $"The {kind} selects the worker pods too.");
        Assert.False(Selects(selector, Workload(Migrate)), $"The {kind} selects the migrate pod too.");
    }

    [Fact]
    public void Ingress_serves_the_site_address_over_tls_to_the_web_service()
    {
        var ingress = Single("Ingress");
        var host = new Uri(Settings(Workload(Web))[ProductionSettings.EnvironmentVariable(SiteAddress.Setting)]!).Host;
        var service = Single("Service");

        Assert.Contains(Sequence(ingress.Root, "spec", "tls"), tls => Sequence(tls, "hosts").Any(h => ((YamlScalarNode)h).Value == host));
        var rule = Assert.Single(Sequence(ingress.Root, "spec", "rules"));
        Assert.Equal(host, Text(rule, "host"));
        Assert.All(Sequence(rule, "http", "paths"), path => Assert.Equal(service.Name, Text(path, "backend", "service", "name")));
    }

    /// <summary>The webhook takes events up to 512 KiB; nginx's own default of 1 MiB must not be lowered below that.</summary>
    [Fact]
    public void Ingress_lets_a_large_stripe_event_through()
    {
        var size = Text(Single("Ingress").Root, "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-body-size");

        Assert.NotNull(size);
        Assert.Matches(@"^([1-9]\d*m|[5-9]\d\dk|\d{4,}k)$", size);
    }

    /// <summary>Without a trusted proxy the site would take every request for plain HTTP and every supporter for the ingress controller.</summary>
    [Fact]
    public void Web_trusts_the_ingress_controller_for_the_client_address_and_scheme()
    {
        var settings = Settings(Workload(Web));
        var networks = settings.GetValueOrDefault("ForwardedHeaders__KnownNetworks") ?? "";
        var proxies = settings.GetValueOrDefault("ForwardedHeaders__KnownProxies") ?? "";

        Assert.False(networks.Length == 0 && proxies.Length == 0, "Neither ForwardedHeaders__KnownNetworks nor ForwardedHeaders__KnownProxies is set.");
        Assert.All(Entries(networks), network => Assert.True(System.Net.IPNetwork.TryParse(network, out _), $"'{network}' is not a network."));
        Assert.All(Entries(proxies), proxy => Assert.True(System.Net.IPAddress.TryParse(proxy, out _), $"'{proxy}' is not an address."));
    }

    [Fact]
    public void Secret_template_holds_placeholders_and_no_real_secret()
    {
        var secret = Single("Secret");
        var values = ((YamlMappingNode)At(secret.Root, "stringData")!).Children
            .Select(pair => (Key: ((YamlScalarNode)pair.Key).Value!, Value: ((YamlScalarNode)pair.Value).Value ?? ""))
            .ToList();

        Assert.Null(At(secret.Root, "data"));
        Assert.NotEmpty(values);
        Assert.All(values, entry => Assert.Matches(Placeholder(), entry.Value));
        Assert.All(values, entry => Assert.DoesNotMatch(RealSecret(), entry.Value));
    }

    /// <summary>The settings one process sees: its envFrom sources in order, then its own env, each later one winning.</summary>
    private static Dictionary<string, string?> Settings(Manifest workload)
    {
        var container = Container(workload);
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var source in Sequence(container, "envFrom"))
        {
            var (kind, reference) = At(source, "configMapRef") is { } map ? ("ConfigMap", map) : ("Secret", At(source, "secretRef")!);
            var name = Text(reference, "name");
            var provider = Manifests.SingleOrDefault(m => m.Kind == kind && m.Name == name)
                ?? throw new InvalidOperationException($"{workload.Name} reads the {kind} '{name}', which no manifest in deploy/kubernetes defines.");
            var prefix = Text(source, "prefix") ?? "";
            foreach (var section in new[] { "data", "stringData" })
            {
                if (At(provider.Root, section) is YamlMappingNode data)
                {
                    foreach (var (key, value) in data.Children)
                    {
                        settings[prefix + ((YamlScalarNode)key).Value] = ((YamlScalarNode)value).Value;
                    }
                }
            }
        }

        foreach (var variable in Sequence(container, "env"))
        {
            settings[Text(variable, "name")!] = Text(variable, "value") ?? (At(variable, "valueFrom") is null ? null : "(from a reference)");
        }

        return settings;
    }

    /// <summary>The variables compose.yaml's shared environment requires with ${VARIABLE:?message}.</summary>
    private static List<string> ComposeDemands()
    {
        var compose = Parse(Path.Combine(Root, "deploy", "compose.yaml")).Single();
        var environment = (YamlMappingNode)At(compose.Root, "x-site", "environment")!;
        var demanded = environment.Children
            .Where(pair => ((YamlScalarNode)pair.Value).Value?.Contains(":?", StringComparison.Ordinal) == true)
            .Select(pair => ((YamlScalarNode)pair.Key).Value!)
            .ToList();
        Assert.NotEmpty(demanded);
        return demanded;
    }

    private static bool Selects(IReadOnlyDictionary<string, string> selector, Manifest workload)
    {
        var labels = Labels(At(workload.Root, "spec", "template", "metadata", "labels"));
        return selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);
    }

    private static Dictionary<string, string> Labels(YamlNode? node) =>
        node is YamlMappingNode map
            ? map.Children.ToDictionary(pair => ((YamlScalarNode)pair.Key).Value!, pair => ((YamlScalarNode)pair.Value).Value!, StringComparer.Ordinal)
            : [];

    private static Manifest Workload(string name) =>
        Manifests.Single(m => m.Name == name && m.Kind is "Deployment" or "Job");

    private static Manifest Single(string kind) => Assert.Single(Manifests, m => m.Kind == kind);

    private static YamlNode PodSpec(Manifest workload) => At(workload.Root, "spec", "template", "spec")!;

    private static YamlNode Container(Manifest workload) => Assert.Single(Sequence(PodSpec(workload), "containers"));

    private static string[] Entries(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static YamlNode? At(YamlNode node, params string[] path)
    {
        YamlNode? current = node;
        foreach (var key in path)
        {
            current = current is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var next) ? next : null;
        }

        return current;
    }

    private static string? Text(YamlNode node, params string[] path) => (At(node, path) as YamlScalarNode)?.Value;

    private static IEnumerable<YamlNode> Sequence(YamlNode node, params string[] path) =>
        At(node, path) is YamlSequenceNode sequence ? sequence.Children : [];

    private static List<Manifest> Load(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml").SelectMany(Parse)];

    private static IEnumerable<Manifest> Parse(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            stream.Load(reader);
        }

        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode)
            .Select(root => new Manifest(Path.GetFileName(path), root, Text(root, "kind"), Text(root, "metadata", "name")));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Solidarity.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests run from outside the repository.");
    }

    /// <summary>Something to replace, in angle brackets: "&lt;stripe secret key&gt;".</summary>
    [GeneratedRegex("<[^<>]+>")]
    private static partial Regex Placeholder();

    /// <summary>The shapes of Stripe keys and signing secrets, and a password that is not a placeholder.</summary>
    [GeneratedRegex(@"\b(sk|rk|pk)_(live|test)_\w{8,}|\bwhsec_\w{8,}|Password=(?!<)[^;]+", RegexOptions.IgnoreCase)]
    private static partial Regex RealSecret();

    private sealed record Manifest(string File, YamlMappingNode Root, string? Kind, string? Name);
}
