"""Kubernetes manifests: schema-valid on their own and as rendered overlays, and safe.

Every file under infra/k8s/base is validated against the Kubernetes OpenAPI schemas
(kubernetes-validate, strict: unknown fields fail). Each kustomization is rendered with
the kustomize built into the pinned kubectl, and the rendered objects are validated and
checked for what the deploy relies on.
"""

import copy
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

from .conftest import (
    API_ENVIRONMENT,
    GUNICORN_CONFIG,
    INFRA,
    REPO_ROOT,
    find_tool,
    load_yaml_documents,
)

K8S = INFRA / "k8s"
BASE = K8S / "base"
KUSTOMIZATIONS = {
    "base": BASE,
    "staging": K8S / "overlays" / "staging",
    "production": K8S / "overlays" / "production",
}
# The oldest Kubernetes still commonly run, and the newest the validator knows.
KUBERNETES_VERSIONS = ["1.29.0", "1.37.0"]
APP_WORKLOADS = {
    "nexus-web",
    "nexus-ws",
    "nexus-worker",
    "nexus-beat",
    "nexus-migrate",
}
# The Deployments that serve traffic, each behind its own Service.
SERVED = ("nexus-web", "nexus-ws")
# What production pods must be given: THROTTLE_RATES is optional and has defaults.
APP_ENVIRONMENT = API_ENVIRONMENT - {"THROTTLE_RATES"} | {"DJANGO_SETTINGS_MODULE"}


def kubernetes_validate():
    try:
        import kubernetes_validate as validator
    except ImportError:
        pytest.fail(
            "kubernetes-validate is not installed: "
            "pip install -r requirements-infra.txt",
            pytrace=False,
        )
    return validator


def validate(resource: dict, where: str) -> None:
    validator = kubernetes_validate()
    name = f"{where}: {resource['kind']}/{resource['metadata']['name']}"
    for version in KUBERNETES_VERSIONS:
        try:
            validator.validate(resource, version, strict=True)
        except validator.ValidationError as error:
            pytest.fail(f"{name} is invalid for {version}: {error.message}")


@cache
def render(name: str) -> tuple[dict, ...]:
    result = subprocess.run(
        [find_tool("kubectl"), "kustomize", str(KUSTOMIZATIONS[name])],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"kustomize {name} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def by_kind(resources, kind: str) -> dict[str, dict]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def pod_templates(resources) -> dict[str, dict]:
    """Pod spec of every Deployment and Job, by workload name."""
    return {
        r["metadata"]["name"]: r["spec"]["template"]
        for r in resources
        if r["kind"] in {"Deployment", "Job"}
    }


BASE_FILES = sorted(p for p in BASE.glob("*.yaml") if p.name != "kustomization.yaml")
OVERLAY_FILES = sorted(
    p for p in (K8S / "overlays").rglob("*.yaml") if p.name != "kustomization.yaml"
)


@pytest.mark.parametrize("path", BASE_FILES, ids=lambda p: p.name)
def test_every_base_manifest_is_valid_on_its_own(path: Path):
    documents = load_yaml_documents(path)
    assert documents, f"{path} holds no resource"
    for resource in documents:
        validate(resource, path.name)


def test_validator_rejects_unknown_fields():
    """Guards the tests above: a strict validator must refuse a misspelt field."""
    validator = kubernetes_validate()
    deployment = copy.deepcopy(load_yaml_documents(BASE / "web-deployment.yaml")[0])
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    with pytest.raises(validator.ValidationError):
        validator.validate(deployment, KUBERNETES_VERSIONS[-1], strict=True)


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_kustomization_renders_to_valid_resources(name: str):
    resources = render(name)
    assert {r["kind"] for r in resources} >= {
        "Namespace",
        "ConfigMap",
        "Deployment",
        "Service",
        "Ingress",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Job",
    }
    for resource in resources:
        validate(resource, name)


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_workloads_are_the_five_processes(name: str):
    assert set(pod_templates(render(name))) == APP_WORKLOADS


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_beat_runs_exactly_once_even_during_a_deploy(name: str):
    resources = render(name)
    beat = by_kind(resources, "Deployment")["nexus-beat"]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    autoscaled = {
        h["spec"]["scaleTargetRef"]["name"]
        for h in by_kind(resources, "HorizontalPodAutoscaler").values()
    }
    assert autoscaled == {"nexus-web", "nexus-ws", "nexus-worker"}


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_every_pod_runs_as_non_root_without_privileges(name: str):
    for workload, template in pod_templates(render(name)).items():
        pod = template["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, workload
        assert pod["securityContext"]["runAsUser"] != 0, workload
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert pod["automountServiceAccountToken"] is False, workload
        for container in pod["containers"] + pod.get("initContainers", []):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, workload
            assert context["readOnlyRootFilesystem"] is True, workload
            assert context["capabilities"]["drop"] == ["ALL"], workload
            assert context.get("runAsUser", 10001) != 0, workload


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_every_container_has_requests_and_limits(name: str):
    for workload, template in pod_templates(render(name)).items():
        for container in template["spec"]["containers"]:
            resources = container["resources"]
            for bound in ("requests", "limits"):
                assert set(resources[bound]) >= {"cpu", "memory"}, (
                    f"{workload}/{container['name']} lacks {bound}"
                )


@pytest.mark.parametrize("workload", SERVED)
@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_servers_probe_readiness_and_liveness(name: str, workload: str):
    server = pod_templates(render(name))[workload]["spec"]["containers"][0]
    assert server["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert server["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert server["startupProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert server[probe]["httpGet"]["port"] == "http", (workload, probe)


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_web_runs_gunicorn_and_ws_runs_daphne(name: str):
    templates = pod_templates(render(name))
    web = templates["nexus-web"]["spec"]["containers"][0]
    assert web["command"] == [
        "gunicorn",
        "--config",
        str(GUNICORN_CONFIG.relative_to(REPO_ROOT)),
        "nexus.wsgi:application",
    ]
    ws = templates["nexus-ws"]["spec"]["containers"][0]
    assert ws["command"][0] == "daphne"
    assert ws["command"][-1] == "nexus.asgi:application"
    # Both listen on 8000, the port the containers declare as "http".
    assert ws["command"][ws["command"].index("-p") + 1] == "8000"
    for server in (web, ws):
        assert {p["name"]: p["containerPort"] for p in server["ports"]} == {
            "http": 8000
        }


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_processes_run_the_documented_commands(name: str):
    templates = pod_templates(render(name))
    command = {w: t["spec"]["containers"][0]["command"] for w, t in templates.items()}
    assert command["nexus-worker"][:4] == ["celery", "-A", "nexus", "worker"]
    assert command["nexus-beat"][:4] == ["celery", "-A", "nexus", "beat"]
    assert command["nexus-migrate"] == ["python", "manage.py", "migrate", "--noinput"]
    job = by_kind(render(name), "Job")["nexus-migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_all_processes_run_one_image_and_one_config(name: str):
    resources = render(name)
    templates = pod_templates(resources)
    images = {t["spec"]["containers"][0]["image"] for t in templates.values()}
    assert len(images) == 1, images
    assert not images.pop().endswith(":latest")
    config_maps = set(by_kind(resources, "ConfigMap"))
    for workload, template in templates.items():
        sources = template["spec"]["containers"][0]["envFrom"]
        refs = {
            (kind, source[kind]["name"])
            for source in sources
            for kind in ("configMapRef", "secretRef")
            if kind in source
        }
        assert ("secretRef", "nexus-secrets") in refs, workload
        (config_map,) = {ref for kind, ref in refs if kind == "configMapRef"}
        assert config_map in config_maps, f"{workload} reads a missing {config_map}"


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_selectors_find_their_pods(name: str):
    resources = render(name)
    templates = pod_templates(resources)
    for workload in SERVED:
        service = by_kind(resources, "Service")[workload]
        selector = service["spec"]["selector"]
        matched = [
            w
            for w, t in templates.items()
            if selector.items() <= t["metadata"]["labels"].items()
        ]
        assert matched == [workload], (workload, matched)
        container_ports = {
            p["name"] for p in templates[workload]["spec"]["containers"][0]["ports"]
        }
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= container_ports
    for pdb in by_kind(resources, "PodDisruptionBudget").values():
        selector = pdb["spec"]["selector"]["matchLabels"]
        matched = [
            w
            for w, t in templates.items()
            if selector.items() <= t["metadata"]["labels"].items()
        ]
        assert len(matched) == 1, (pdb["metadata"]["name"], matched)
    deployments = by_kind(resources, "Deployment")
    for workload, deployment in deployments.items():
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= templates[workload]["metadata"]["labels"].items()


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_ingress_carries_websockets_with_long_timeouts(name: str):
    ingresses = by_kind(render(name), "Ingress")
    service_ports = {
        (s["metadata"]["name"], p["name"])
        for s in by_kind(render(name), "Service").values()
        for p in s["spec"]["ports"]
    }
    paths, backends = {}, {}
    for ingress in ingresses.values():
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                assert (backend["name"], backend["port"]["name"]) in service_ports
                paths[path["path"]] = ingress["metadata"]["annotations"]
                backends[path["path"]] = backend["name"]
        assert ingress["spec"]["tls"], "every host is served over TLS"
    # Websockets to daphne, everything else to gunicorn.
    assert backends == {"/ws/": "nexus-ws", "/": "nexus-web"}
    prefix = "nginx.ingress.kubernetes.io/"
    assert int(paths["/ws/"][prefix + "proxy-read-timeout"]) >= 3600
    assert int(paths["/ws/"][prefix + "proxy-send-timeout"]) >= 3600
    assert int(paths["/"][prefix + "proxy-read-timeout"]) <= 120
    assert paths["/"][prefix + "proxy-body-size"] == "11m"


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_settings_cover_every_variable_the_app_needs(name: str):
    (config_map,) = by_kind(render(name), "ConfigMap").values()
    (secret,) = load_yaml_documents(BASE / "secret.example.yaml")
    provided = set(config_map["data"]) | set(secret["stringData"])
    assert provided >= APP_ENVIRONMENT, APP_ENVIRONMENT - provided
    assert config_map["data"]["DJANGO_SETTINGS_MODULE"] == "nexus.settings.production"
    assert config_map["data"]["DEBUG"] == "false"


def test_secret_template_is_never_applied():
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    assert "secret.example.yaml" not in kustomization["resources"]
    for name in KUSTOMIZATIONS:
        assert not by_kind(render(name), "Secret"), f"{name} would apply a Secret"


def test_overlays_differ_in_namespace_host_and_image():
    seen = {}
    for name in ("staging", "production"):
        resources = render(name)
        (namespace,) = by_kind(resources, "Namespace")
        assert {r["metadata"].get("namespace", namespace) for r in resources} == {
            namespace
        }
        hosts = {
            rule["host"]
            for ingress in by_kind(resources, "Ingress").values()
            for rule in ingress["spec"]["rules"]
        }
        (config_map,) = by_kind(resources, "ConfigMap").values()
        assert hosts == set(config_map["data"]["ALLOWED_HOSTS"].split(","))
        image = pod_templates(resources)["nexus-web"]["spec"]["containers"][0]["image"]
        assert image.startswith("registry.example.com/")
        seen[name] = (namespace, frozenset(hosts))
    assert seen["staging"][0] != seen["production"][0]
    assert seen["staging"][1].isdisjoint(seen["production"][1])


def test_production_keeps_three_web_pods_and_more_memory():
    resources = render("production")
    hpa = by_kind(resources, "HorizontalPodAutoscaler")["nexus-web"]
    assert hpa["spec"]["minReplicas"] >= 3
    web = pod_templates(resources)["nexus-web"]["spec"]["containers"][0]
    assert web["resources"]["limits"]["memory"] == "2Gi"


def test_production_ws_pods_get_memory_for_sockets_and_one_cpu():
    resources = render("production")
    hpa = by_kind(resources, "HorizontalPodAutoscaler")["nexus-ws"]
    assert hpa["spec"]["minReplicas"] >= 2
    base_hpa = by_kind(render("base"), "HorizontalPodAutoscaler")["nexus-ws"]
    assert hpa["spec"]["maxReplicas"] > base_hpa["spec"]["maxReplicas"]
    ws = pod_templates(resources)["nexus-ws"]["spec"]["containers"][0]
    assert ws["resources"]["limits"]["memory"] == "2Gi"
    # One daphne process runs one event loop: a second CPU would sit idle.
    assert ws["resources"]["limits"]["cpu"] == "1"


@pytest.mark.parametrize("path", OVERLAY_FILES, ids=lambda p: str(p.parent.name))
def test_overlay_patch_files_name_real_base_objects(path: Path):
    base_names = {(r["kind"], r["metadata"]["name"]) for r in render("base")}
    for patch in load_yaml_documents(path):
        assert (patch["kind"], patch["metadata"]["name"]) in base_names
