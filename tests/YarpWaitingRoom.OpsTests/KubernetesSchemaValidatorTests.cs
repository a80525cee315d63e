using YarpWaitingRoom.OpsTests.Kubernetes;

namespace YarpWaitingRoom.OpsTests;

/// <summary>
/// The validator the Kubernetes manifest tests rely on, shown to fail: each kind of mistake a rendered overlay can carry is
/// rejected, by the object's name and the field's path, and only a clean stream passes.
/// </summary>
public sealed class KubernetesSchemaValidatorTests
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: nginx:1.27
                  ports:
                    - name: http
                      containerPort: 8080
        """;

    private const string Service = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: shop
        spec:
          selector:
            app: web
          ports:
            - name: http
              port: 80
              targetPort: http
        """;

    [Fact]
    public async Task Validate_SmallDeploymentAndService_PassesBoth()
    {
        var result = await ManifestValidator.ValidateAsync(Stream(Deployment, Service), TestContext.Current.CancellationToken);

        Assert.True(result.IsValid, result.Output);
        Assert.Equal((2, 0), (result.Validated, result.Invalid));
        Assert.NotNull(result.KubernetesVersion);
        Assert.Contains("ok apps/v1 Deployment web", result.Output, StringComparison.Ordinal);
        Assert.Contains("ok v1 Service web", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_MisspelledField_RejectsTheObjectAtThatField()
    {
        var misspelled = Mutated(Deployment, "replicas: 2", "replica: 2");

        var result = await ManifestValidator.ValidateAsync(Stream(misspelled, Service), TestContext.Current.CancellationToken);

        AssertRejected(result, "apps/v1 Deployment web", "/spec/replica");
    }

    [Fact]
    public async Task Validate_MisspelledFieldDeepInThePodTemplate_RejectsTheObjectAtThatField()
    {
        var misspelled = Mutated(Deployment, "image: nginx:1.27", "image: nginx:1.27\n          imagePullPolicyy: Always");

        var result = await ManifestValidator.ValidateAsync(Stream(misspelled, Service), TestContext.Current.CancellationToken);

        AssertRejected(result, "apps/v1 Deployment web", "/spec/template/spec/containers/0/imagePullPolicyy");
    }

    [Fact]
    public async Task Validate_PortAsString_RejectsTheObjectAtThatField()
    {
        var wrongType = Mutated(Deployment, "containerPort: 8080", "containerPort: \"8080\"");

        var result = await ManifestValidator.ValidateAsync(Stream(wrongType, Service), TestContext.Current.CancellationToken);

        AssertRejected(result, "apps/v1 Deployment web", "/spec/template/spec/containers/0/ports/0/containerPort");
    }

    [Fact]
    public async Task Validate_DeploymentWithoutSelector_RejectsTheObjectForTheMissingField()
    {
        var withoutSelector = Mutated(Deployment, "  selector:\n    matchLabels:\n      app: web\n", string.Empty);

        var result = await ManifestValidator.ValidateAsync(Stream(withoutSelector, Service), TestContext.Current.CancellationToken);

        AssertRejected(result, "apps/v1 Deployment web", "selector");
    }

    [Fact]
    public async Task Validate_KindThePinnedVersionDoesNotServe_RejectsTheObject()
    {
        var removedApi = """
            apiVersion: policy/v1beta1
            kind: PodDisruptionBudget
            metadata:
              name: web
            spec:
              minAvailable: 1
            """;

        var result = await ManifestValidator.ValidateAsync(Stream(Deployment, removedApi), TestContext.Current.CancellationToken);

        AssertRejected(result, "policy/v1beta1 PodDisruptionBudget web", "unknown apiVersion/kind");
    }

    [Fact]
    public async Task Validate_SecondObjectWithTheSameKindNamespaceAndName_RejectsTheDuplicate()
    {
        var result = await ManifestValidator.ValidateAsync(Stream(Deployment, Service, Service), TestContext.Current.CancellationToken);

        AssertRejected(result, "v1 Service web", "duplicate");
        Assert.Equal((3, 1), (result.Validated, result.Invalid));
    }

    [Fact]
    public async Task Validate_ObjectWithoutName_RejectsIt()
    {
        var unnamed = Mutated(Service, "  name: web\n", string.Empty);

        var result = await ManifestValidator.ValidateAsync(Stream(Deployment, unnamed), TestContext.Current.CancellationToken);

        AssertRejected(result, "v1 Service <unnamed document 2>", "/metadata/name");
    }

    [Fact]
    public async Task Validate_EmptyStream_FailsWithNothingValidated()
    {
        var result = await ManifestValidator.ValidateAsync("---\n# nothing rendered\n", TestContext.Current.CancellationToken);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(0, result.Validated);
    }

    [Fact]
    public async Task Validate_TextThatIsNotYaml_FailsAsUnreadable()
    {
        var result = await ManifestValidator.ValidateAsync("apiVersion: v1\nkind: [Service\n", TestContext.Current.CancellationToken);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cannot parse", result.Output, StringComparison.Ordinal);
    }

    /// <summary>The document with one text replaced, which must be there: a mutation that changed nothing proves nothing.</summary>
    private static string Mutated(string document, string text, string replacement)
    {
        var mutated = document.Replace(text, replacement, StringComparison.Ordinal);
        Assert.NotEqual(document, mutated);
        return mutated;
    }

    private static string Stream(params string[] documents) => string.Join("\n---\n", documents) + "\n";

    private static void AssertRejected(ManifestValidation result, string objectLabel, string expected)
    {
        Assert.Equal(1, result.ExitCode);
        var line = result.Output.Split('\n').SingleOrDefault(candidate => candidate.StartsWith($"invalid {objectLabel}: ", StringComparison.Ordinal));
        Assert.True(line is not null, $"no line 'invalid {objectLabel}: ...' in:\n{result.Output}");
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }
}
