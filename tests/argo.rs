//! The Argo Rollouts source against stand-in Kubernetes API servers on
//! loopback (tests/argo/fake_kube.rs): what it reads from Rollouts shaped as
//! the real CRD, how fast a change arrives by watch, and exactly what each
//! action sends — method, path, Content-Type and body, as `kubectl argo
//! rollouts` sends them — with every HTTP failure in the operator's words.
//! Two clusters in two kubeconfig contexts: one takes a bearer token, one an
//! exec credential plugin; a third speaks TLS and wants a client certificate.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "argo/fake_kube.rs"]
mod fake_kube;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::Method;
use fake_kube::{FakeKube, Recorded};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use warroom::app::Msg;
use warroom::config::plan::{DeploySource, PlanFile};
use warroom::domain::action::{ActionRequest, ControlError, DeploymentControl};
use warroom::domain::clock::{Clock, SystemClock};
use warroom::domain::rollout::{Action, ActionScope, Phase, RolloutStatus};
use warroom::domain::source::{Polled, Report};
use warroom::integrations::argo::ArgoRollouts;

const NS: &str = "checkout";
const NAME: &str = "checkout-api";
const PATH: &str = "/apis/argoproj.io/v1alpha1/namespaces/checkout/rollouts/checkout-api";
const EU_TOKEN: &str = "eu-token-s3cr3t";
const US_TOKEN: &str = "us-exec-token-s3cr3t";
const MERGE: &str = "application/merge-patch+json";

/// Argo's canary example (examples/rollout-canary.yaml) as the API serves
/// it: metadata filled in, an nginx traffic router, and `status`.
fn rollout(status: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {
            "name": NAME,
            "namespace": NS,
            "uid": "5b3c6a8e-2f1d-4c8a-9e0b-7d6f5a4c3b2a",
            "generation": 3,
            "creationTimestamp": "2026-03-14T08:00:00Z",
            "annotations": {"rollout.argoproj.io/revision": "2"}
        },
        "spec": {
            "replicas": 5,
            "revisionHistoryLimit": 2,
            "selector": {"matchLabels": {"app": NAME}},
            "template": {
                "metadata": {"labels": {"app": NAME}},
                "spec": {"containers": [{
                    "name": "checkout-api",
                    "image": "ghcr.io/shop/checkout-api:v2.4.0",
                    "imagePullPolicy": "Always",
                    "ports": [{"containerPort": 8080}]
                }]}
            },
            "strategy": {"canary": {
                "canaryService": "checkout-api-canary",
                "stableService": "checkout-api-stable",
                "trafficRouting": {"nginx": {"stableIngress": "checkout-api"}},
                "steps": [
                    {"setWeight": 20}, {"pause": {}},
                    {"setWeight": 40}, {"pause": {"duration": 40}},
                    {"setWeight": 60}, {"pause": {"duration": 20}},
                    {"setWeight": 80}, {"pause": {"duration": 20}}
                ]
            }}
        },
        "status": status
    })
}

/// At the indefinite pause after 20%, as the controller leaves it.
fn paused_status() -> Value {
    json!({
        "HPAReplicas": 6,
        "abort": false,
        "availableReplicas": 6,
        "blueGreen": {},
        "canary": {
            "weights": {
                "canary": {"podTemplateHash": "7bf84f9696", "serviceName": "checkout-api-canary", "weight": 20},
                "stable": {"podTemplateHash": "6cf78c66c5", "serviceName": "checkout-api-stable", "weight": 80}
            }
        },
        "conditions": [
            {"lastTransitionTime": "2026-03-14T08:00:05Z", "lastUpdateTime": "2026-03-14T08:00:05Z",
             "message": "Rollout has minimum availability", "reason": "AvailableReason", "status": "True", "type": "Available"},
            {"lastTransitionTime": "2026-03-14T09:00:00Z", "lastUpdateTime": "2026-03-14T09:00:00Z",
             "message": "Rollout is paused", "reason": "RolloutPaused", "status": "Unknown", "type": "Paused"}
        ],
        "controllerPause": true,
        "currentPodHash": "7bf84f9696",
        "currentStepHash": "5f8fbc6f8c",
        "currentStepIndex": 1,
        "message": "CanaryPauseStep",
        "observedGeneration": "3",
        "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-03-14T09:00:00Z"}],
        "phase": "Paused",
        "readyReplicas": 6,
        "replicas": 6,
        "selector": "app=checkout-api",
        "stableRS": "6cf78c66c5",
        "updatedReplicas": 1
    })
}

/// Moving on at 40%, between pauses.
fn progressing_status() -> Value {
    let mut s = paused_status();
    s["pauseConditions"] = Value::Null;
    s["controllerPause"] = json!(false);
    s["currentStepIndex"] = json!(2);
    s["phase"] = json!("Progressing");
    s["message"] = json!("more replicas need to be updated");
    s["canary"]["weights"]["canary"]["weight"] = json!(40);
    s["canary"]["weights"]["stable"]["weight"] = json!(60);
    strip_nulls(s)
}

/// Every step done: the canary is the new stable.
fn complete_status() -> Value {
    json!({
        "availableReplicas": 5, "readyReplicas": 5, "replicas": 5, "updatedReplicas": 5,
        "currentPodHash": "7bf84f9696", "stableRS": "7bf84f9696",
        "currentStepIndex": 8, "observedGeneration": "3", "phase": "Healthy",
        "canary": {"weights": {
            "canary": {"podTemplateHash": "7bf84f9696", "weight": 0},
            "stable": {"podTemplateHash": "7bf84f9696", "weight": 100}
        }}
    })
}

fn aborted_status() -> Value {
    json!({
        "abort": true, "abortedAt": "2026-03-14T09:03:00Z",
        "availableReplicas": 5, "readyReplicas": 5, "replicas": 5, "updatedReplicas": 0,
        "currentPodHash": "7bf84f9696", "stableRS": "6cf78c66c5", "currentStepIndex": 0,
        "observedGeneration": "3", "phase": "Degraded",
        "message": "RolloutAborted: Rollout aborted update to revision 2: Metric \"success-rate\" assessed Failed due to failed (3) > failureLimit (2)",
        "canary": {
            "weights": {"canary": {"podTemplateHash": "7bf84f9696", "weight": 0}, "stable": {"podTemplateHash": "6cf78c66c5", "weight": 100}},
            "currentStepAnalysisRunStatus": {"name": "checkout-api-7bf84f9696-2-2", "status": "Failed", "message": "Metric \"success-rate\" assessed Failed due to failed (3) > failureLimit (2)"}
        }
    })
}

fn strip_nulls(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.retain(|_, x| !x.is_null());
    }
    v
}

/// A ReplicaSet the Rollout owns, for revision `revision`.
fn replicaset(hash: &str, revision: u32, image: &str, owner: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": format!("{NAME}-{hash}"), "namespace": NS,
            "labels": {"app": NAME, "rollouts-pod-template-hash": hash},
            "annotations": {"rollout.argoproj.io/revision": revision.to_string(), "rollout.argoproj.io/desired-replicas": "5"},
            "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": NAME,
                                 "uid": owner, "controller": true, "blockOwnerDeletion": true}]
        },
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"app": NAME, "rollouts-pod-template-hash": hash}},
            "template": {
                "metadata": {"labels": {"app": NAME, "rollouts-pod-template-hash": hash}},
                "spec": {"containers": [{"name": "checkout-api", "image": image, "imagePullPolicy": "Always", "ports": [{"containerPort": 8080}]}]}
            }
        },
        "status": {"replicas": 0, "observedGeneration": 1}
    })
}

/// A shell script that prints an ExecCredential, as EKS's, GKE's and AKS's
/// plugins do.
fn exec_plugin(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    // Under target/, not /tmp: /tmp may be mounted noexec.
    let tag = dir.file_name().unwrap().to_string_lossy().into_owned();
    let test = tag.rsplit_once('-').map_or(tag.as_str(), |(t, _pid)| t);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("argo-plugins")
        .join(test);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn good_plugin(dir: &Path) -> PathBuf {
    exec_plugin(
        dir,
        "credential.sh",
        &format!(
            "echo '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{US_TOKEN}\"}}}}'"
        ),
    )
}

/// A kubeconfig (JSON is YAML) with these contexts: name, cluster URL, user.
fn kubeconfig(dir: &Path, contexts: &[(&str, &str, Value)]) -> PathBuf {
    kubeconfig_with_ca(dir, contexts, None)
}

/// The same, each cluster trusting `ca` (PEM) if given.
fn kubeconfig_with_ca(dir: &Path, contexts: &[(&str, &str, Value)], ca: Option<&str>) -> PathBuf {
    let clusters: Vec<Value> = contexts
        .iter()
        .map(|(name, url, _)| {
            let mut cluster = json!({"server": url});
            if let Some(pem) = ca {
                cluster["certificate-authority-data"] = json!(base64(pem.as_bytes()));
            }
            json!({"name": name, "cluster": cluster})
        })
        .collect();
    let users: Vec<Value> = contexts
        .iter()
        .map(|(name, _, user)| json!({"name": name, "user": user}))
        .collect();
    let named: Vec<Value> = contexts
        .iter()
        .map(|(name, _, _)| json!({"name": name, "context": {"cluster": name, "user": name, "namespace": NS}}))
        .collect();
    let config = json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": clusters, "users": users, "contexts": named,
        "current-context": contexts.first().map(|c| c.0).unwrap_or("")
    });
    let path = dir.join("kubeconfig");
    std::fs::write(&path, serde_json::to_string_pretty(&config).unwrap()).unwrap();
    path
}

fn token_user(token: &str) -> Value {
    json!({"token": token})
}

fn exec_user(plugin: &Path) -> Value {
    json!({"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": plugin, "interactiveMode": "Never"}})
}

/// A plan with regions eu-west-1 and us-east-1, each with its Rollout in
/// the given context.
fn plan(kubeconfig: &Path, targets: &[(&str, &str)], interval: &str, timeout: &str) -> PlanFile {
    plan_with(kubeconfig, targets, interval, timeout, "")
}

/// The same, with `extra` lines in `[sources.deploy]`.
fn plan_with(
    kubeconfig: &Path,
    targets: &[(&str, &str)],
    interval: &str,
    timeout: &str,
    extra: &str,
) -> PlanFile {
    let mut text = String::from(
        "service = \"checkout-api\"\n[versions]\nstable = \"v2.3.1\"\ncanary = \"v2.4.0\"\n\
         [[regions]]\nname = \"eu-west-1\"\n[[regions]]\nname = \"us-east-1\"\n\
         [signals]\nerror_rate = 'e'\n\
         [[stop_conditions]]\nsignal = \"error_rate\"\nabove = 0.02\nfor = \"1m\"\n\
         [[waves]]\nname = \"canary\"\nweight = 20\nregions = [\"eu-west-1\"]\nhold = \"10m\"\n\
         [[waves]]\nname = \"early\"\nweight = 40\nregions = [\"eu-west-1\", \"us-east-1\"]\nhold = \"10m\"\n\
         [[waves]]\nname = \"full\"\nweight = 100\nregions = \"all\"\nhold = \"10m\"\n\
         [sources.metrics]\nkind = \"prometheus\"\nurl = \"http://127.0.0.1:9\"\n",
    );
    text.push_str(&format!(
        "[sources.deploy]\nkind = \"argo\"\nkubeconfig = \"{}\"\ninterval = \"{interval}\"\ntimeout = \"{timeout}\"\n{extra}",
        kubeconfig.display()
    ));
    for (region, context) in targets {
        text.push_str(&format!(
            "[[sources.deploy.targets]]\nregion = \"{region}\"\ncontext = \"{context}\"\nnamespace = \"{NS}\"\nrollout = \"{NAME}\"\n"
        ));
    }
    let path = kubeconfig.with_file_name("plan.toml");
    std::fs::write(&path, &text).unwrap();
    PlanFile::load(&path).unwrap()
}

fn argo(plan: &PlanFile) -> Arc<ArgoRollouts> {
    let Some(DeploySource::Argo(config)) = &plan.deploy else {
        panic!("not an argo plan");
    };
    Arc::new(ArgoRollouts::new(config, &plan.plan))
}

/// Two clusters: eu-west-1 in context prod-eu (bearer token), us-east-1 in
/// prod-us (exec credential plugin), each with the Rollout in `status`.
struct Rig {
    eu: FakeKube,
    us: FakeKube,
    dir: PathBuf,
    kubeconfig: PathBuf,
}

async fn rig(name: &str, eu_status: Value, us_status: Value) -> Rig {
    let dir = common::temp_dir(&format!("argo-{name}"));
    let eu = FakeKube::start(Some(EU_TOKEN)).await;
    let us = FakeKube::start(Some(US_TOKEN)).await;
    eu.put_rollout(rollout(eu_status));
    us.put_rollout(rollout(us_status));
    let plugin = good_plugin(&dir);
    let kubeconfig = kubeconfig(
        &dir,
        &[
            ("prod-eu", &eu.url, token_user(EU_TOKEN)),
            ("prod-us", &us.url, exec_user(&plugin)),
        ],
    );
    Rig {
        eu,
        us,
        dir,
        kubeconfig,
    }
}

impl Rig {
    fn plan(&self, interval: &str, timeout: &str) -> PlanFile {
        plan(
            &self.kubeconfig,
            &[("eu-west-1", "prod-eu"), ("us-east-1", "prod-us")],
            interval,
            timeout,
        )
    }

    fn argo(&self) -> Arc<ArgoRollouts> {
        argo(&self.plan("30s", "5s"))
    }
}

fn request(action: Action, scope: ActionScope) -> ActionRequest {
    ActionRequest {
        id: 1,
        action,
        scope,
        service: NAME.into(),
        stable_version: "v2.3.1".into(),
        canary_version: "v2.4.0".into(),
        operator: "alice".into(),
        reason: None,
    }
}

fn eu() -> ActionScope {
    ActionScope::Region("eu-west-1".into())
}

fn gets(requests: &[Recorded]) -> usize {
    requests
        .iter()
        .filter(|r| r.method == "GET" && r.path == PATH)
        .count()
}

fn assert_patch(r: &Recorded, path: &str, content_type: &str, body: Value) {
    assert_eq!(r.method, "PATCH");
    assert_eq!(r.path, path);
    assert_eq!(r.content_type.as_deref(), Some(content_type), "{r:?}");
    assert_eq!(r.json(), body, "{r:?}");
}

/// The next report of the source on `rx`.
async fn next_report(rx: &mut mpsc::Receiver<Polled>) -> Result<RolloutStatus, String> {
    next_report_took(rx).await.0
}

/// The next report, and how long the source says it took.
async fn next_report_took(
    rx: &mut mpsc::Receiver<Polled>,
) -> (Result<RolloutStatus, String>, Duration) {
    let msg = tokio::time::timeout(Duration::from_secs(15), rx.recv())
        .await
        .expect("no report within 15s")
        .expect("the source ended");
    match msg {
        Polled {
            result: Ok(Report::Rollout(s)),
            took,
            ..
        } => (Ok(s), took),
        Polled {
            result: Err(e),
            took,
            ..
        } => (Err(e.0), took),
        other => panic!("unexpected message {other:?}"),
    }
}

fn start(argo: &Arc<ArgoRollouts>) -> mpsc::Receiver<Polled> {
    let (tx, rx) = mpsc::channel(64);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    argo.spawn(clock, tx);
    rx
}

#[tokio::test]
async fn two_contexts_read_into_one_wave_view() {
    let rig = rig("read", paused_status(), progressing_status()).await;
    rig.us.put_replicaset(replicaset(
        "6cf78c66c5",
        1,
        "ghcr.io/shop/checkout-api:v2.3.1",
        "5b3c6a8e-2f1d-4c8a-9e0b-7d6f5a4c3b2a",
    ));
    let mut rx = start(&rig.argo());
    let status = next_report(&mut rx).await.unwrap();
    assert_eq!(status.phase, Phase::Paused, "one region paused: paused");
    assert_eq!(status.wave, 0, "eu-west-1 is still at 20%: not early yet");
    let eu = &status.regions[0];
    let us = &status.regions[1];
    assert_eq!((eu.region.as_str(), eu.canary_weight), ("eu-west-1", 20));
    assert_eq!((us.region.as_str(), us.canary_weight), ("us-east-1", 40));
    assert_eq!(eu.phase, Some(Phase::Paused));
    assert_eq!(us.phase, Some(Phase::Progressing));
    let detail = eu.target.as_ref().unwrap();
    assert_eq!(detail.name, "prod-eu/checkout/checkout-api");
    assert_eq!(detail.step, Some((2, 8)));
    assert_eq!(detail.desired_weight, Some(20));
    assert_eq!(detail.pause_reasons, ["CanaryPauseStep"]);
    assert_eq!(
        detail.canary_revision.as_deref(),
        Some("7bf84f9696 (revision 2)")
    );
    assert_eq!(detail.canary_images, ["ghcr.io/shop/checkout-api:v2.4.0"]);
    let detail = us.target.as_ref().unwrap();
    assert_eq!(detail.stable_images, ["ghcr.io/shop/checkout-api:v2.3.1"]);
    assert_eq!(detail.step, Some((3, 8)));
    assert!(
        status.held > chrono::TimeDelta::zero(),
        "held since the pause began"
    );

    // Each cluster saw its own credential: a token, and the plugin's token.
    for (fake, token) in [(&rig.eu, EU_TOKEN), (&rig.us, US_TOKEN)] {
        let requests = fake.requests();
        assert!(!requests.is_empty());
        for r in &requests {
            assert_eq!(r.authorization, Some(format!("Bearer {token}")), "{r:?}");
        }
        let list = requests
            .iter()
            .find(|r| r.param("watch").is_none() && r.path.ends_with("/rollouts"))
            .expect("a list");
        assert_eq!(
            list.param("fieldSelector").as_deref(),
            Some("metadata.name=checkout-api")
        );
        let deadline = Instant::now() + Duration::from_secs(5);
        let watch = loop {
            let found = fake
                .requests()
                .into_iter()
                .find(|r| r.param("watch").as_deref() == Some("true"));
            match found {
                Some(w) => break w,
                None if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                None => panic!("no watch"),
            }
        };
        assert!(watch.param("resourceVersion").is_some(), "{watch:?}");
        assert_eq!(watch.param("allowWatchBookmarks").as_deref(), Some("true"));
    }
}

#[tokio::test]
async fn a_change_arrives_by_watch_without_waiting_for_a_resync() {
    let rig = rig("watch", paused_status(), progressing_status()).await;
    // An hour between full reads: only the watch can bring the change.
    let argo = argo(&rig.plan("1h", "5s"));
    let mut rx = start(&argo);
    let first = next_report(&mut rx).await.unwrap();
    assert_eq!(first.regions[0].canary_weight, 20);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let changed = Instant::now();
    rig.eu.update_rollout(NS, NAME, |ro| {
        ro["status"] = progressing_status();
        ro["status"]["canary"]["weights"]["canary"]["weight"] = json!(40);
    });
    let (status, answered_in) = loop {
        let (s, took) = next_report_took(&mut rx).await;
        let s = s.unwrap();
        if s.regions[0].canary_weight == 40 {
            break (s, took);
        }
    };
    let took = changed.elapsed();
    eprintln!("watch latency: {took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(
        answered_in < Duration::from_millis(250),
        "the quiet time before an event is not time the source took: {answered_in:?}"
    );
    assert_eq!(status.phase, Phase::Progressing);
    assert_eq!(status.wave, 1, "both regions at 40%: early");

    // A pause condition set by the controller arrives the same way.
    rig.us.update_rollout(NS, NAME, |ro| {
        ro["status"]["pauseConditions"] =
            json!([{"reason": "InconclusiveAnalysisRun", "startTime": "2026-03-14T09:10:00Z"}]);
    });
    let status = loop {
        let s = next_report(&mut rx).await.unwrap();
        if s.phase == Phase::Paused {
            break s;
        }
    };
    let us = status.regions[1].target.as_ref().unwrap();
    assert_eq!(us.pause_reasons, ["InconclusiveAnalysisRun"]);
}

#[tokio::test]
async fn pause_in_one_region_sends_the_clis_merge_patch_there_only() {
    let rig = rig("pause", progressing_status(), progressing_status()).await;
    let answer = rig
        .argo()
        .apply(&request(Action::Pause, eu()))
        .await
        .unwrap();
    assert_eq!(answer, "eu-west-1: paused");
    let patches = rig.eu.patches();
    assert_eq!(patches.len(), 1);
    assert_patch(&patches[0], PATH, MERGE, json!({"spec": {"paused": true}}));
    assert_eq!(gets(&rig.eu.requests()), 1, "read once before acting");
    assert!(rig.us.requests().is_empty(), "us-east-1 untouched");
    assert_eq!(rig.eu.rollout(NS, NAME)["spec"]["paused"], json!(true));
}

#[tokio::test]
async fn scope_rollout_acts_in_every_context_and_names_each_region() {
    let rig = rig("scope", progressing_status(), progressing_status()).await;
    let answer = rig
        .argo()
        .apply(&request(Action::Pause, ActionScope::Rollout))
        .await
        .unwrap();
    assert_eq!(answer, "eu-west-1: paused; us-east-1: paused");
    for fake in [&rig.eu, &rig.us] {
        let patches = fake.patches();
        assert_eq!(patches.len(), 1);
        assert_patch(&patches[0], PATH, MERGE, json!({"spec": {"paused": true}}));
    }
    // Already paused everywhere: nothing to send, and it says so.
    rig.eu.clear_requests();
    let e = rig
        .argo()
        .apply(&request(Action::Pause, ActionScope::Rollout))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "refused by the target: nothing to pause — eu-west-1: skipped, already paused; us-east-1: skipped, already paused"
    );
    assert!(rig.eu.patches().is_empty());
}

#[tokio::test]
async fn promote_clears_the_pause_condition_then_unpauses_the_spec() {
    let rig = rig("promote", paused_status(), progressing_status()).await;
    rig.eu
        .update_rollout(NS, NAME, |ro| ro["spec"]["paused"] = json!(true));
    let answer = rig
        .argo()
        .apply(&request(Action::Promote, eu()))
        .await
        .unwrap();
    assert_eq!(
        answer,
        "eu-west-1: promoted (pause conditions cleared, unpaused)"
    );
    let patches = rig.eu.patches();
    assert_eq!(patches.len(), 2);
    assert_patch(
        &patches[0],
        &format!("{PATH}/status"),
        MERGE,
        json!({"status": {"pauseConditions": null}}),
    );
    assert_patch(&patches[1], PATH, MERGE, json!({"spec": {"paused": false}}));
    let ro = rig.eu.rollout(NS, NAME);
    assert!(ro["status"]["pauseConditions"].is_null());
    assert_eq!(ro["spec"]["paused"], json!(false));
}

#[tokio::test]
async fn promote_without_a_pause_steps_on_and_resume_never_does() {
    let rig = rig("step", progressing_status(), paused_status()).await;
    let answer = rig
        .argo()
        .apply(&request(Action::Promote, eu()))
        .await
        .unwrap();
    assert_eq!(answer, "eu-west-1: promoted (to step index 3)");
    let patches = rig.eu.patches();
    assert_eq!(patches.len(), 1);
    assert_patch(
        &patches[0],
        &format!("{PATH}/status"),
        MERGE,
        json!({"status": {"pauseConditions": null, "currentStepIndex": 3}}),
    );

    let us = ActionScope::Region("us-east-1".into());
    let answer = rig
        .argo()
        .apply(&request(Action::Resume, us.clone()))
        .await
        .unwrap();
    assert_eq!(answer, "us-east-1: resumed (pause conditions cleared)");
    let patches = rig.us.patches();
    assert_eq!(patches.len(), 1);
    assert_patch(
        &patches[0],
        &format!("{PATH}/status"),
        MERGE,
        json!({"status": {"pauseConditions": null}}),
    );
    // Not paused any more: resume has nothing to do and sends nothing.
    let e = rig
        .argo()
        .apply(&request(Action::Resume, us))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ControlError::Refused("us-east-1: not paused: nothing to resume".into())
    );
    assert_eq!(rig.us.patches().len(), 1);
}

#[tokio::test]
async fn rollback_aborts_a_canary_in_flight() {
    let rig = rig("abort", paused_status(), progressing_status()).await;
    let answer = rig
        .argo()
        .apply(&request(Action::Rollback, ActionScope::Rollout))
        .await
        .unwrap();
    assert_eq!(
        answer,
        "eu-west-1: aborted: traffic back to stable; us-east-1: aborted: traffic back to stable"
    );
    for fake in [&rig.eu, &rig.us] {
        let patches = fake.patches();
        assert_eq!(patches.len(), 1);
        assert_patch(
            &patches[0],
            &format!("{PATH}/status"),
            MERGE,
            json!({"status": {"abort": true}}),
        );
    }
}

#[tokio::test]
async fn rollback_of_a_completed_rollout_undoes_to_the_previous_revision() {
    let rig = rig("undo", complete_status(), progressing_status()).await;
    let uid = "5b3c6a8e-2f1d-4c8a-9e0b-7d6f5a4c3b2a";
    rig.eu.update_rollout(NS, NAME, |ro| {
        ro["metadata"]["annotations"]["rollout.argoproj.io/revision"] = json!("3");
    });
    rig.eu.put_replicaset(replicaset(
        "7bf84f9696",
        3,
        "ghcr.io/shop/checkout-api:v2.4.0",
        uid,
    ));
    rig.eu.put_replicaset(replicaset(
        "6cf78c66c5",
        2,
        "ghcr.io/shop/checkout-api:v2.3.1",
        uid,
    ));
    rig.eu.put_replicaset(replicaset(
        "59d8c7f4b6",
        1,
        "ghcr.io/shop/checkout-api:v2.2.0",
        uid,
    ));
    rig.eu.put_replicaset(replicaset(
        "1111111111",
        9,
        "ghcr.io/shop/other:v9",
        "another-owner",
    ));
    let answer = rig
        .argo()
        .apply(&request(Action::Rollback, eu()))
        .await
        .unwrap();
    assert_eq!(answer, "eu-west-1: undone to revision 2");
    let requests = rig.eu.requests();
    let list = requests
        .iter()
        .find(|r| r.path == "/apis/apps/v1/namespaces/checkout/replicasets")
        .expect("the ReplicaSets are listed");
    assert_eq!(
        list.param("labelSelector").as_deref(),
        Some("app=checkout-api")
    );
    let patches = rig.eu.patches();
    assert_eq!(patches.len(), 1);
    assert_patch(
        &patches[0],
        PATH,
        "application/json-patch+json",
        json!([{
            "op": "replace",
            "path": "/spec/template",
            "value": {
                "metadata": {"labels": {"app": NAME}},
                "spec": {"containers": [{"name": "checkout-api", "image": "ghcr.io/shop/checkout-api:v2.3.1",
                                         "imagePullPolicy": "Always", "ports": [{"containerPort": 8080}]}]}
            }
        }]),
    );
    let ro = rig.eu.rollout(NS, NAME);
    assert_eq!(
        ro["spec"]["template"]["spec"]["containers"][0]["image"],
        json!("ghcr.io/shop/checkout-api:v2.3.1")
    );
    // Undone already: a second undo finds the template at revision 2 …
    // which is now the newest; the previous is 3's, so it would go back.
    // Undo is not idempotent, which is why the keys never resend it.
}

#[tokio::test]
async fn retry_and_undo_send_what_the_cli_sends() {
    let rig = rig("retry", aborted_status(), progressing_status()).await;
    let argo = rig.argo();
    // No promote on an aborted rollout: refused, nothing sent.
    let e = argo
        .apply(&request(Action::Promote, eu()))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ControlError::Refused("eu-west-1: aborted: nothing to promote (retry it first)".into())
    );
    assert!(rig.eu.patches().is_empty());
    // Nor a second abort.
    let e = argo
        .apply(&request(Action::Rollback, eu()))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("already aborted"), "{e}");

    let answer = argo.retry(&eu()).await.unwrap();
    assert_eq!(answer, "eu-west-1: retried");
    let patches = rig.eu.patches();
    assert_eq!(patches.len(), 1);
    assert_patch(
        &patches[0],
        &format!("{PATH}/status"),
        MERGE,
        json!({"status": {"abort": false}}),
    );
    let e = argo.retry(&eu()).await.unwrap_err();
    assert!(e.to_string().contains("not aborted"), "{e}");

    // Undo on a Rollout whose only revision is its own: nothing to go back to.
    let e = argo
        .undo(&ActionScope::Region("us-east-1".into()))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ControlError::Refused("us-east-1: no previous revision to go back to".into())
    );
    assert!(rig.us.patches().is_empty());
}

#[tokio::test]
async fn each_http_failure_in_the_operators_words() {
    let rig = rig("errors", progressing_status(), progressing_status()).await;
    let argo = argo(&rig.plan("30s", "1s"));
    let pause = request(Action::Pause, eu());

    rig.eu.fail(Method::PATCH, NAME, 401, "Unauthorized", 1);
    let e = argo.apply(&pause).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "refused by the target: eu-west-1: not authenticated (401): the cluster of context `prod-eu` refused its credentials: Unauthorized"
    );

    let forbidden = "rollouts.argoproj.io \"checkout-api\" is forbidden: User \"system:serviceaccount:ops:warroom\" cannot patch resource \"rollouts/status\" in API group \"argoproj.io\" in the namespace \"checkout\"";
    rig.eu.fail(Method::PATCH, "/status", 403, forbidden, 1);
    let e = argo
        .apply(&request(Action::Rollback, eu()))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "refused by the target: eu-west-1: permission denied (403): may not patch rollouts/status in namespace checkout (RBAC: grant patch on rollouts/status): {forbidden}"
        )
    );

    rig.eu
        .fail(Method::PATCH, NAME, 500, "etcdserver: request timed out", 1);
    let e = argo.apply(&pause).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "target unreachable: eu-west-1: server error (500): etcdserver: request timed out"
    );

    rig.eu.stall(Method::PATCH, NAME, Duration::from_secs(3), 1);
    let e = argo.apply(&pause).await.unwrap_err();
    assert_eq!(e, ControlError::Timeout(Duration::from_secs(1)));
    assert_eq!(
        e.to_string(),
        "no answer within 1s: the outcome is unknown, check the rollout before acting again"
    );

    // A Rollout that is not there.
    let empty = FakeKube::start(Some(EU_TOKEN)).await;
    let dir = rig.dir.join("empty");
    std::fs::create_dir_all(&dir).unwrap();
    let config = kubeconfig(&dir, &[("prod-eu", &empty.url, token_user(EU_TOKEN))]);
    let a = argo_for(
        &config,
        &[("eu-west-1", "prod-eu"), ("us-east-1", "prod-eu")],
    );
    let e = a.apply(&pause).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "refused by the target: eu-west-1: not found (404): no rollout checkout/checkout-api in context `prod-eu`"
    );
    assert!(empty.patches().is_empty());
}

fn argo_for(kubeconfig: &Path, targets: &[(&str, &str)]) -> Arc<ArgoRollouts> {
    argo(&plan(kubeconfig, targets, "30s", "1s"))
}

#[tokio::test]
async fn a_conflict_is_retried_for_pause_and_abort_only() {
    let rig = rig("conflict", progressing_status(), paused_status()).await;
    let argo = rig.argo();
    let modified = "Operation cannot be fulfilled on rollouts.argoproj.io \"checkout-api\": the object has been modified; please apply your changes to the latest version and try again";
    rig.eu.fail(Method::PATCH, NAME, 409, modified, 1);
    let answer = argo.apply(&request(Action::Pause, eu())).await.unwrap();
    assert_eq!(answer, "eu-west-1: paused");
    assert_eq!(rig.eu.patches().len(), 2, "sent again after the conflict");
    assert_eq!(gets(&rig.eu.requests()), 2, "read again before resending");

    // Three conflicts in a row: two retries, then the operator is told.
    rig.eu.clear_requests();
    rig.eu
        .update_rollout(NS, NAME, |ro| ro["spec"]["paused"] = json!(false));
    rig.eu.fail(Method::PATCH, NAME, 409, modified, 3);
    let e = argo.apply(&request(Action::Pause, eu())).await.unwrap_err();
    assert_eq!(rig.eu.patches().len(), 3);
    assert!(
        e.to_string()
            .starts_with("refused by the target: eu-west-1: conflict (409): the rollout checkout/checkout-api changed meanwhile"),
        "{e}"
    );

    // Promote is not resent: after a conflict the step may have moved.
    let us = ActionScope::Region("us-east-1".into());
    rig.us.fail(Method::PATCH, "/status", 409, modified, 1);
    let e = argo.apply(&request(Action::Promote, us)).await.unwrap_err();
    assert!(e.to_string().contains("conflict (409)"), "{e}");
    assert_eq!(rig.us.patches().len(), 1);
}

#[tokio::test]
async fn a_partial_failure_names_the_region_that_failed_and_why() {
    let rig = rig("partial", progressing_status(), progressing_status()).await;
    rig.eu.fail(
        Method::PATCH,
        NAME,
        403,
        "User \"ops\" cannot patch resource \"rollouts\"",
        1,
    );
    let e = rig
        .argo()
        .apply(&request(Action::Pause, ActionScope::Rollout))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ControlError::Refused(
            "failed in 1 of 2 regions — eu-west-1: permission denied (403): may not patch rollouts in namespace checkout (RBAC: grant patch on rollouts): User \"ops\" cannot patch resource \"rollouts\"; elsewhere — us-east-1: paused"
                .into()
        )
    );
    assert_eq!(rig.us.rollout(NS, NAME)["spec"]["paused"], json!(true));
}

#[tokio::test]
async fn kubeconfig_problems_name_the_context_and_never_a_secret() {
    let rig = rig("kubeconfig", progressing_status(), progressing_status()).await;
    let pause = request(Action::Pause, eu());

    // A context the kubeconfig does not have.
    let a = argo_for(
        &rig.kubeconfig,
        &[("eu-west-1", "prod-nowhere"), ("us-east-1", "prod-us")],
    );
    let e = a.apply(&pause).await.unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "target unreachable: eu-west-1: no context `prod-nowhere` in {} (it has: prod-eu, prod-us)",
            rig.kubeconfig.display()
        )
    );
    // The source says the same, naming the region and where it looked.
    let mut rx = start(&a);
    let e = next_report(&mut rx).await.unwrap_err();
    assert!(
        e.starts_with("eu-west-1 (prod-nowhere/checkout/checkout-api): no context `prod-nowhere`"),
        "{e}"
    );

    // A kubeconfig that cannot be read.
    let missing = rig.dir.join("no-such-kubeconfig");
    let a = argo_for(
        &missing,
        &[("eu-west-1", "prod-eu"), ("us-east-1", "prod-us")],
    );
    let e = a.apply(&pause).await.unwrap_err().to_string();
    assert!(
        e.contains(&format!("cannot read the kubeconfig {}", missing.display())),
        "{e}"
    );

    // An exec plugin that fails: its complaint, never its output.
    let broken = exec_plugin(
        &rig.dir,
        "expired.sh",
        "echo '{\"status\":{\"token\":\"half-written-s3cr3t\"}}'\necho 'error: the SSO session has expired, run aws sso login' >&2\nexit 1",
    );
    let dir = rig.dir.join("broken");
    std::fs::create_dir_all(&dir).unwrap();
    let config = kubeconfig(
        &dir,
        &[
            ("prod-eu", &rig.eu.url, exec_user(&broken)),
            ("prod-us", &rig.us.url, token_user(US_TOKEN)),
        ],
    );
    let a = argo_for(
        &config,
        &[("eu-west-1", "prod-eu"), ("us-east-1", "prod-us")],
    );
    let e = a.apply(&pause).await.unwrap_err().to_string();
    assert!(
        e.contains("context `prod-eu`")
            && e.contains("exec credential plugin")
            && e.contains("expired.sh")
            && e.contains("error: the SSO session has expired, run aws sso login"),
        "{e}"
    );
    assert!(!e.contains("half-written-s3cr3t"), "{e}");

    // TLS verification stays on.
    let insecure = rig.dir.join("insecure");
    std::fs::create_dir_all(&insecure).unwrap();
    let path = kubeconfig(&insecure, &[("prod-eu", &rig.eu.url, token_user(EU_TOKEN))]);
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "\"server\":",
        "\"insecure-skip-tls-verify\": true, \"server\":",
    );
    std::fs::write(&path, text).unwrap();
    let a = argo_for(&path, &[("eu-west-1", "prod-eu"), ("us-east-1", "prod-eu")]);
    let e = a.apply(&pause).await.unwrap_err().to_string();
    assert!(e.contains("insecure-skip-tls-verify"), "{e}");

    // A token the cluster refuses, on the read path.
    let wrong = rig.dir.join("wrong");
    std::fs::create_dir_all(&wrong).unwrap();
    let path = kubeconfig(
        &wrong,
        &[
            ("prod-eu", &rig.eu.url, token_user("stale-s3cr3t")),
            ("prod-us", &rig.us.url, token_user(US_TOKEN)),
        ],
    );
    let a = argo_for(&path, &[("eu-west-1", "prod-eu"), ("us-east-1", "prod-us")]);
    let mut rx = start(&a);
    let e = next_report(&mut rx).await.unwrap_err();
    assert!(
        e.contains("eu-west-1 (prod-eu/checkout/checkout-api): not authenticated (401): the cluster of context `prod-eu` refused its credentials"),
        "{e}"
    );
    for secret in ["stale-s3cr3t", EU_TOKEN, US_TOKEN] {
        assert!(!e.contains(secret), "{e}");
    }
}

#[tokio::test]
async fn read_errors_name_the_verb_the_service_account_lacks() {
    let rig = rig("rbac", progressing_status(), progressing_status()).await;
    rig.eu.fail(
        Method::GET,
        "/rollouts",
        403,
        "rollouts.argoproj.io is forbidden: User \"system:serviceaccount:ops:warroom\" cannot list resource \"rollouts\"",
        100,
    );
    let mut rx = start(&rig.argo());
    let e = next_report(&mut rx).await.unwrap_err();
    assert!(
        e.starts_with("eu-west-1 (prod-eu/checkout/checkout-api): permission denied (403): may not list rollouts in namespace checkout"),
        "{e}"
    );
}

#[tokio::test]
async fn the_plan_wires_argo_into_the_session() {
    let rig = rig("session", paused_status(), progressing_status()).await;
    let plan = rig.plan("30s", "5s");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut session =
        warroom::runtime::session::Session::from_plan(&plan, clock, Default::default()).unwrap();
    assert!(session.control.is_some());
    assert!(!session.state.read_only);
    assert_eq!(session.state.sources[0].info.name, "argo 2 contexts");
    let status = loop {
        let msg = tokio::time::timeout(Duration::from_secs(15), session.messages.recv())
            .await
            .unwrap()
            .unwrap();
        if let Msg::Source {
            source: warroom::domain::source::SourceId(0),
            polled,
        } = msg
        {
            break polled.result.unwrap();
        }
    };
    let Report::Rollout(status) = status else {
        panic!("not a rollout report");
    };
    assert_eq!(status.phase, Phase::Paused);
    let control = session.control.take().unwrap();
    let answer = control.apply(&request(Action::Resume, eu())).await.unwrap();
    assert_eq!(answer, "eu-west-1: resumed (pause conditions cleared)");
}

/// Standard base64 with padding, as kubeconfig `*-data` fields hold.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, both
/// signed by the CA; and the server's TLS set-up, which demands a client
/// certificate from that CA.
struct Pki {
    ca_pem: String,
    client_pem: String,
    client_key_pem: String,
    server: rustls::ServerConfig,
}

fn pki() -> Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose,
    };
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "warroom test cluster CA");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let issuer: &rcgen::Issuer<'_, KeyPair> = &ca;

    let server_key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = params.signed_by(&server_key, issuer).unwrap();

    let client_key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "warroom");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_cert = params.signed_by(&client_key, issuer).unwrap();

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![server_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )
        .unwrap();
    Pki {
        ca_pem: ca.pem(),
        client_pem: client_cert.pem(),
        client_key_pem: client_key.serialize_pem(),
        server,
    }
}

#[tokio::test]
async fn a_client_certificate_and_the_clusters_ca_from_the_kubeconfig() {
    let pki = pki();
    let fake = FakeKube::start_tls(pki.server).await;
    fake.put_rollout(rollout(paused_status()));
    let dir = common::temp_dir("argo-tls");
    let with_cert = json!({
        "client-certificate-data": base64(pki.client_pem.as_bytes()),
        "client-key-data": base64(pki.client_key_pem.as_bytes())
    });
    let path = kubeconfig_with_ca(
        &dir,
        &[
            ("tls", &fake.url, with_cert),
            ("tls-nocert", &fake.url, json!({})),
        ],
        Some(&pki.ca_pem),
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let a = argo_for(&path, &[("eu-west-1", "tls"), ("us-east-1", "tls-nocert")]);
    let answer = a.apply(&request(Action::Pause, eu())).await;
    assert_eq!(
        answer,
        Err(ControlError::Refused("eu-west-1: already paused".into()))
    );
    let answer = a.apply(&request(Action::Promote, eu())).await.unwrap();
    assert_eq!(answer, "eu-west-1: promoted (pause conditions cleared)");
    assert_eq!(fake.patches().len(), 1);

    // No client certificate: the handshake is refused, and the error says where.
    let e = a
        .apply(&request(
            Action::Pause,
            ActionScope::Region("us-east-1".into()),
        ))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "target unreachable: us-east-1: cannot reach the cluster of context `tls-nocert`"
        ),
        "{e}"
    );
    assert!(fake.handshakes_refused() > 0);
    assert_eq!(fake.patches().len(), 1);
    let key_line = pki.client_key_pem.lines().nth(1).unwrap();
    assert!(text.contains(&base64(pki.client_key_pem.as_bytes())));
    assert!(!e.contains(key_line));
}

#[tokio::test]
async fn without_the_status_subresource_the_patch_goes_to_the_rollout() {
    // Argo Rollouts before v0.10: `/status` is not found; the CLI then
    // patches the Rollout itself, spec and status in one.
    let rig = rig("no-status", paused_status(), progressing_status()).await;
    let argo = rig.argo();
    rig.eu.fail(
        Method::PATCH,
        "/status",
        404,
        "the server could not find the requested resource",
        1,
    );
    let answer = argo.apply(&request(Action::Promote, eu())).await.unwrap();
    assert_eq!(
        answer,
        "eu-west-1: promoted (pause conditions cleared, unpaused)"
    );
    let patches = rig.eu.patches();
    assert_eq!(patches.len(), 2);
    assert_patch(
        &patches[0],
        &format!("{PATH}/status"),
        MERGE,
        json!({"status": {"pauseConditions": null}}),
    );
    assert_patch(
        &patches[1],
        PATH,
        MERGE,
        json!({"spec": {"paused": false}, "status": {"pauseConditions": null}}),
    );

    let us = ActionScope::Region("us-east-1".into());
    rig.us.fail(Method::PATCH, "/status", 404, "not found", 1);
    argo.apply(&request(Action::Rollback, us)).await.unwrap();
    let patches = rig.us.patches();
    assert_eq!(patches.len(), 2);
    assert_patch(&patches[1], PATH, MERGE, json!({"status": {"abort": true}}));
}

/// Reports on `rx` until one is a status, within `within`; the errors seen
/// before it.
async fn until_read(
    rx: &mut mpsc::Receiver<Polled>,
    within: Duration,
) -> (RolloutStatus, Vec<String>) {
    let deadline = Instant::now() + within;
    let mut errors = Vec::new();
    while Instant::now() < deadline {
        match next_report(rx).await {
            Ok(status) => return (status, errors),
            Err(e) => errors.push(e),
        }
    }
    panic!("no status within {within:?}; errors: {errors:?}");
}

#[tokio::test]
async fn an_answer_over_max_answer_is_refused_and_the_source_keeps_running() {
    let rig = rig("answer-cap", paused_status(), paused_status()).await;
    // A Rollout of 100 KiB, over the plan's 64 KiB.
    rig.eu.update_rollout(NS, NAME, |ro| {
        ro["metadata"]["annotations"]["note"] = json!("x".repeat(100 << 10));
    });
    let plan = plan_with(
        &rig.kubeconfig,
        &[("eu-west-1", "prod-eu"), ("us-east-1", "prod-us")],
        "1s",
        "5s",
        "max_answer = \"64KiB\"\n",
    );
    let argo = argo(&plan);
    let refused = "context `prod-eu`: the answer is larger than 64 KiB (max_answer); refused";

    // The poll: eu-west-1 fails with the cap's words, us-east-1 is fine.
    let mut rx = start(&argo);
    let e = next_report(&mut rx).await.unwrap_err();
    assert!(e.contains("eu-west-1"), "{e}");
    assert!(e.contains(refused), "{e}");
    assert!(!e.contains("us-east-1"), "{e}");

    // An action reads the Rollout first: refused there, nothing sent.
    let e = argo.apply(&request(Action::Pause, eu())).await.unwrap_err();
    assert!(matches!(e, ControlError::Refused(_)), "{e:?}");
    assert!(e.to_string().contains(refused), "{e}");
    assert!(rig.eu.patches().is_empty());

    // The source kept running: once the Rollout is small again it is read.
    rig.eu.update_rollout(NS, NAME, |ro| {
        ro["metadata"]["annotations"]
            .as_object_mut()
            .unwrap()
            .remove("note");
    });
    let (status, _) = until_read(&mut rx, Duration::from_secs(30)).await;
    assert_eq!(status.regions.len(), 2);
    assert_eq!(status.phase, Phase::Paused);
}

#[tokio::test]
async fn a_long_watch_passes_the_cap_in_small_events_and_is_not_cut() {
    let rig = rig("watch-cap", paused_status(), paused_status()).await;
    let plan = plan_with(
        &rig.kubeconfig,
        &[("eu-west-1", "prod-eu"), ("us-east-1", "prod-us")],
        "1h",
        "5s",
        "max_answer = \"64KiB\"\n",
    );
    let argo = argo(&plan);
    let mut rx = start(&argo);
    let (_, errors) = until_read(&mut rx, Duration::from_secs(15)).await;
    assert!(errors.is_empty(), "{errors:?}");
    let size = rig.eu.rollout(NS, NAME).to_string().len();
    let changes = (96 << 10) / size + 1;
    for i in 0..changes {
        rig.eu.update_rollout(NS, NAME, |ro| {
            ro["metadata"]["annotations"]["change"] = json!(i.to_string());
        });
    }
    // The last change: the canary is promoted to the end.
    rig.eu
        .update_rollout(NS, NAME, |ro| ro["status"] = complete_status());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let s = next_report(&mut rx).await.unwrap();
        let eu = s.regions.iter().find(|r| r.region == "eu-west-1").unwrap();
        if eu.phase == Some(Phase::Complete) {
            break;
        }
        assert!(Instant::now() < deadline, "the last change never came");
    }
    let watches = rig
        .eu
        .requests()
        .iter()
        .filter(|r| r.param("watch").as_deref() == Some("true"))
        .count();
    assert_eq!(
        watches,
        1,
        "more than {} KiB came by one watch",
        (changes * size) >> 10
    );
}

#[tokio::test]
async fn a_token_the_cluster_echoes_back_is_never_shown() {
    const FILE_TOKEN: &str = "us-file-token-s3cr3t";
    let dir = common::temp_dir("argo-echoed-token");
    let eu = FakeKube::start(Some(EU_TOKEN)).await;
    let us = FakeKube::start(Some(FILE_TOKEN)).await;
    eu.put_rollout(rollout(paused_status()));
    us.put_rollout(rollout(paused_status()));
    let token_file = dir.join("us-token");
    // No newline at the end: kube sends a token file's bytes as they are.
    std::fs::write(&token_file, FILE_TOKEN).unwrap();
    let config = kubeconfig(
        &dir,
        &[
            ("prod-eu", &eu.url, token_user(EU_TOKEN)),
            ("prod-us", &us.url, json!({"tokenFile": token_file})),
        ],
    );
    let echo = "token {authorization} may not do this";
    for fake in [&eu, &us] {
        // The list and watch behind the poll, then the GET before an action.
        fake.fail(Method::GET, "/rollouts", 403, echo, 1000);
        fake.fail(Method::GET, NAME, 403, echo, 1000);
    }
    let plan = plan(
        &config,
        &[("eu-west-1", "prod-eu"), ("us-east-1", "prod-us")],
        "1s",
        "2s",
    );
    let argo = argo(&plan);

    let e = argo
        .apply(&request(Action::Pause, ActionScope::Rollout))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("eu-west-1") && e.contains("us-east-1"), "{e}");
    assert!(e.contains("may not do this"), "{e}");
    assert!(!e.contains(EU_TOKEN) && !e.contains(FILE_TOKEN), "{e}");
    assert_eq!(e.matches("Bearer [redacted]").count(), 2, "{e}");

    let mut rx = start(&argo);
    for _ in 0..3 {
        let e = next_report(&mut rx).await.unwrap_err();
        assert!(e.contains("may not do this"), "{e}");
        assert!(!e.contains(EU_TOKEN) && !e.contains(FILE_TOKEN), "{e}");
    }
    // The fake did echo them: the tokens were sent, and came back masked.
    let sent: Vec<String> = eu
        .requests()
        .into_iter()
        .chain(us.requests())
        .filter_map(|r| r.authorization)
        .collect();
    assert!(sent.contains(&format!("Bearer {EU_TOKEN}")), "{sent:?}");
    assert!(sent.contains(&format!("Bearer {FILE_TOKEN}")), "{sent:?}");
}

/// The next message of the source on `rx`, notes and all.
async fn next_polled(rx: &mut mpsc::Receiver<Polled>) -> (RolloutStatus, Vec<String>) {
    let polled = tokio::time::timeout(Duration::from_secs(15), rx.recv())
        .await
        .expect("no report within 15s")
        .expect("the source ended");
    match polled.result {
        Ok(Report::Rollout(s)) => (s, polled.notes),
        other => panic!("unexpected report {other:?}"),
    }
}

#[tokio::test]
async fn a_stable_replicaset_not_listed_is_noted_and_the_last_image_kept() {
    let rig = rig("rs-list", progressing_status(), complete_status()).await;
    rig.eu.fail(
        Method::GET,
        "/replicasets",
        403,
        "replicasets.apps is forbidden: User \"system:serviceaccount:ops:warroom\" cannot list resource \"replicasets\"",
        1,
    );
    let mut rx = start(&argo(&rig.plan("1s", "5s")));
    let (status, notes) = next_polled(&mut rx).await;
    let eu = status.regions[0].target.clone().unwrap();
    assert_eq!(eu.stable_revision.as_deref(), Some("6cf78c66c5"));
    assert!(eu.stable_images.is_empty(), "{eu:?}");
    let [note] = notes.as_slice() else {
        panic!("one note wanted: {notes:?}");
    };
    assert!(
        note.starts_with(
            "eu-west-1: stable ReplicaSet 6cf78c66c5 not listed (permission denied (403)"
        ),
        "{note}"
    );
    assert!(note.ends_with("its image is not known"), "{note}");

    // Listed at a later full read: the image is shown, the note gone.
    rig.eu.put_replicaset(replicaset(
        "6cf78c66c5",
        1,
        "ghcr.io/shop/checkout-api:v2.3.1",
        "5b3c6a8e-2f1d-4c8a-9e0b-7d6f5a4c3b2a",
    ));
    let notes = loop {
        let (status, notes) = next_polled(&mut rx).await;
        let eu = status.regions[0].target.clone().unwrap();
        if eu.stable_images == ["ghcr.io/shop/checkout-api:v2.3.1"] {
            break notes;
        }
    };
    assert!(notes.is_empty(), "{notes:?}");

    // A new stable ReplicaSet that cannot be listed: the last stable image
    // known stays, and the note says so.
    rig.eu
        .fail(Method::GET, "/replicasets", 403, "forbidden", 100);
    rig.eu.update_rollout(NS, NAME, |ro| {
        ro["status"]["stableRS"] = json!("7bf84f9696");
        ro["status"]["currentPodHash"] = json!("8c9d0e1f2a");
    });
    let (eu, notes) = loop {
        let (status, notes) = next_polled(&mut rx).await;
        let eu = status.regions[0].target.clone().unwrap();
        if eu.stable_revision.as_deref() == Some("7bf84f9696") {
            break (eu, notes);
        }
    };
    assert_eq!(eu.stable_images, ["ghcr.io/shop/checkout-api:v2.3.1"]);
    assert!(
        notes.iter().any(
            |n| n.starts_with("eu-west-1: stable ReplicaSet 7bf84f9696 not listed")
                && n.ends_with("the last stable image known is shown")
        ),
        "{notes:?}"
    );
}
