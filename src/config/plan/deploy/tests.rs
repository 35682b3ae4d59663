use super::super::PlanFile;
use super::*;

fn example() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kubernetes.toml");
    std::fs::read_to_string(path).unwrap()
}

fn parse(text: &str) -> Result<PlanFile, PlanError> {
    PlanFile::parse(text, Path::new("/plans/payments.toml"))
}

/// The Kubernetes example with `from` replaced by `to`: the error, and the
/// line `needle` is on after the edit.
fn edited(from: &str, to: &str, needle: &str) -> (PlanError, usize) {
    let text = example();
    assert!(text.contains(from), "the example has no `{from}`");
    let text = text.replacen(from, to, 1);
    let line = text
        .lines()
        .position(|l| l.contains(needle))
        .map_or(0, |i| i + 1);
    let e = parse(&text)
        .err()
        .unwrap_or_else(|| panic!("`{to}` was accepted"));
    (e, line)
}

#[test]
fn the_kubernetes_example_has_one_rollout_per_region_in_plan_order() {
    let plan = parse(&example()).unwrap();
    let Some(DeploySource::Argo(argo)) = plan.deploy else {
        panic!("not an argo source: {:?}", plan.deploy);
    };
    assert_eq!(argo.kubeconfig, None);
    assert_eq!(argo.interval, Duration::from_secs(30));
    assert_eq!(argo.timeout, Duration::from_secs(5));
    let regions: Vec<&str> = argo.targets.iter().map(|t| t.region.as_str()).collect();
    assert_eq!(regions, plan.plan.regions);
    assert_eq!(
        argo.targets[2],
        ArgoTarget {
            region: "us-west".into(),
            context: Some("prod-us".into()),
            namespace: Some("payments-west".into()),
            rollout: "payments".into(),
        }
    );
    assert_eq!(argo.targets[2].label(), "prod-us/payments-west/payments");
}

#[test]
fn defaults_and_kubeconfig_paths() {
    let text = example()
        .replacen("interval = \"30s\"   # read", "# read", 1)
        .replacen(
            "timeout = \"5s\"\n",
            "kubeconfig = \"clusters/prod.yaml\"\n",
            1,
        )
        .replacen("context = \"prod-eu\"\n", "", 1)
        .replacen("namespace = \"payments\"\n", "", 1);
    let Some(DeploySource::Argo(argo)) = parse(&text).unwrap().deploy else {
        panic!("not an argo source");
    };
    assert_eq!(argo.interval, ARGO_RESYNC);
    assert_eq!(argo.timeout, ARGO_TIMEOUT);
    assert_eq!(
        argo.kubeconfig,
        Some(PathBuf::from("/plans/clusters/prod.yaml")),
        "relative to the plan file"
    );
    assert_eq!(argo.targets[0].context, None);
    assert_eq!(argo.targets[0].namespace, None);
    assert_eq!(
        argo.targets[0].label(),
        "(current context)/(default namespace)/payments"
    );
}

#[test]
fn an_unknown_region_is_named_with_the_known_ones() {
    let (e, line) = edited(
        "region = \"us-west\"",
        "region = \"us-west-9\"",
        "us-west-9",
    );
    assert_eq!(e.field, "sources.deploy.targets[2].region");
    assert_eq!(e.line, line);
    assert!(
        e.problem.contains("`us-west-9`") && e.problem.contains("eu-central, us-east"),
        "{e}"
    );
}

#[test]
fn every_region_needs_exactly_one_target() {
    let (e, line) = edited(
        "region = \"us-west\"",
        "region = \"us-east\"",
        "region = \"us-east\"\ncontext = \"prod-us\"\nnamespace = \"payments-west\"",
    );
    assert_eq!(e.field, "sources.deploy.targets[2].region");
    assert!(e.problem.contains("has a target already"), "{e}");
    let _ = line;
    let text = example();
    let cut = text
        .split("[[sources.deploy.targets]]\nregion = \"ap-south\"")
        .next()
        .unwrap()
        .to_string();
    let e = parse(&cut).err().unwrap();
    assert_eq!(e.field, "sources.deploy.targets");
    assert!(e.problem.contains("no target for region `ap-south`"), "{e}");
    let e = parse(cut.split("[[sources.deploy.targets]]").next().unwrap())
        .err()
        .unwrap();
    assert_eq!(e.field, "sources.deploy.targets");
    assert!(
        e.problem
            .contains("one [[sources.deploy.targets]] per region"),
        "{e}"
    );
}

#[test]
fn names_that_are_not_kubernetes_names_are_refused() {
    let (e, line) = edited(
        "rollout = \"payments\"",
        "rollout = \"payments/../x\"",
        "payments/../x",
    );
    assert_eq!(e.field, "sources.deploy.targets[0].rollout");
    assert_eq!(e.line, line);
    let (e, _) = edited(
        "namespace = \"payments\"",
        "namespace = \"Payments\"",
        "Payments",
    );
    assert_eq!(e.field, "sources.deploy.targets[0].namespace");
    let (e, _) = edited(
        "context = \"prod-eu\"",
        "context = \" \"",
        "context = \" \"",
    );
    assert_eq!(e.field, "sources.deploy.targets[0].context");
}

#[test]
fn fields_of_the_other_kind_are_refused_with_what_to_do() {
    let (e, line) = edited(
        "kind = \"argo\"",
        "kind = \"argo\"\nurl = \"https://deploy.example\"",
        "deploy.example",
    );
    assert_eq!((e.field.as_str(), e.line), ("sources.deploy.url", line));
    let (e, _) = edited(
        "kind = \"argo\"",
        "kind = \"argo\"\nauth.bearer_token_env = \"T\"",
        "bearer_token_env",
    );
    assert_eq!(e.field, "sources.deploy.auth");
    let (e, _) = edited("kind = \"argo\"", "kind = \"flagger\"", "flagger");
    assert_eq!(e.field, "sources.deploy.kind");
    assert!(e.problem.contains("http or argo"), "{e}");
    let (e, _) = edited("kind = \"argo\"", "kind = \"http\"", "kind = \"http\"");
    assert_eq!(e.field, "sources.deploy.targets");
    assert!(e.problem.contains("kind = \"argo\""), "{e}");
    let (e, _) = edited("timeout = \"5s\"", "timeout = \"2h\"", "2h");
    assert_eq!(e.field, "sources.deploy.timeout");
    let (e, line) = edited(
        "rollout = \"payments\"\n",
        "rollout = \"payments\"\ncluster = \"x\"\n",
        "cluster = \"x\"",
    );
    assert_eq!(e.line, line);
    assert!(e.field.contains("cluster"), "{e}");
}
