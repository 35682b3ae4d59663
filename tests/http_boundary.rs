//! The one HTTP client at its edges, against stand-in servers on loopback:
//! an action is done only when the deploy API says so in its documented
//! body (a redirect or any other 2xx is "outcome unknown", on screen and in
//! the audit log, and the redirect is not followed); reads follow a redirect
//! only within their origin and never from https to http; an answer over
//! the cap is refused naming the source and the cap.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use tokio::sync::mpsc;
use warroom::app::state::{AppState, RunMode, Seat};
use warroom::app::{Msg, update};
use warroom::audit::AuditLog;
use warroom::config::plan::{DeploySource, PlanFile};
use warroom::domain::action::{ActionOutcome, ActionRequest, ControlError, DeploymentControl};
use warroom::domain::clock::{Clock, SystemClock};
use warroom::domain::rollout::{Action, ActionScope};
use warroom::integrations::deploy_api::DeployApi;
use warroom::integrations::prometheus::PrometheusSource;
use warroom::runtime::executor::Executor;

const BIN: &str = env!("CARGO_BIN_EXE_warroom");

/// What a stand-in answers, by method and path; every request is counted.
type Answer = Arc<dyn Fn(&Method, &str) -> Response + Send + Sync>;

#[derive(Clone)]
struct Stand {
    answer: Answer,
    seen: Arc<Mutex<Vec<String>>>,
}

async fn handle(
    axum::extract::State(stand): axum::extract::State<Stand>,
    method: Method,
    uri: Uri,
    _headers: HeaderMap,
) -> Response {
    stand
        .seen
        .lock()
        .unwrap()
        .push(format!("{method} {}", uri.path()));
    (stand.answer)(&method, uri.path())
}

/// Serve `answer` on loopback; the base URL and the requests seen.
async fn serve(answer: Answer) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let stand = Stand {
        answer,
        seen: seen.clone(),
    };
    let app = Router::new().fallback(any(handle)).with_state(stand);
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), seen)
}

fn redirect(status: u16, to: &str) -> Response {
    let mut r = StatusCode::from_u16(status).unwrap().into_response();
    r.headers_mut().insert("location", to.parse().unwrap());
    r
}

fn json(status: u16, body: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

const VECTOR: &str = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"region":"r0","version":"v1"},"value":[1,"0.5"]}]}}"#;

fn plan_text(metrics: &str, deploy: Option<&str>, extra_metrics: &str) -> String {
    let mut text = String::from(
        "service = \"svc\"\n[versions]\nstable = \"v1\"\ncanary = \"v2\"\n[[regions]]\nname = \"r0\"\n",
    );
    text.push_str("[signals]\nrequest_rate = 'q_rate'\nerror_rate = 'q_err'\nlatency_p99 = 'q_lat'\nsuccess_rate = 'q_ok'\n");
    text.push_str("[[stop_conditions]]\nsignal = \"error_rate\"\nabove = 0.02\nfor = \"1m\"\n");
    text.push_str("[[waves]]\nname = \"all\"\nweight = 100\nregions = \"all\"\nhold = \"1m\"\n");
    text.push_str(&format!(
        "[sources.metrics]\nkind = \"prometheus\"\nurl = \"{metrics}\"\ntimeout = \"2s\"\n{extra_metrics}"
    ));
    if let Some(url) = deploy {
        text.push_str(&format!(
            "[sources.deploy]\nkind = \"http\"\nurl = \"{url}\"\ntimeout = \"2s\"\n"
        ));
    }
    text
}

fn plan(metrics: &str, deploy: Option<&str>, extra_metrics: &str) -> PlanFile {
    PlanFile::parse(
        &plan_text(metrics, deploy, extra_metrics),
        Path::new("test.toml"),
    )
    .unwrap()
}

fn deploy_api(plan: &PlanFile) -> DeployApi {
    match &plan.deploy {
        Some(DeploySource::Http { endpoint }) => DeployApi::new(endpoint).unwrap(),
        other => panic!("not an http deploy source: {other:?}"),
    }
}

fn pause() -> ActionRequest {
    ActionRequest {
        id: 7,
        action: Action::Pause,
        scope: ActionScope::Rollout,
        service: "svc".into(),
        stable_version: "v1".into(),
        canary_version: "v2".into(),
        operator: "alice".into(),
        reason: Some("error rate climbing".into()),
    }
}

fn temp(name: &str) -> std::path::PathBuf {
    common::temp_dir(&format!("http-boundary-{name}"))
}

/// The pause goes through the executor: attempt and outcome in the audit
/// log, the outcome back as the message the app takes.
async fn execute(api: DeployApi, dir: &Path) -> (Msg, Vec<serde_json::Value>) {
    let audit_path = dir.join("audit.jsonl");
    let audit = Arc::new(AuditLog::open(&audit_path).unwrap());
    let (tx, _rx) = mpsc::channel(8);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let executor = Executor::new(Arc::new(api), audit, clock, tx, Duration::from_secs(5));
    let msg = executor.perform(&pause()).await;
    let records = std::fs::read_to_string(&audit_path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (msg, records)
}

#[tokio::test]
async fn a_pause_answered_with_a_redirect_is_outcome_unknown_and_not_followed() {
    let answer: Answer = Arc::new(|method, path| match (method.as_str(), path) {
        ("POST", "/api/v1/rollout/pause") => redirect(302, "/api/v1/rollout"),
        _ => json(200, r#"{"result":"pause applied"}"#),
    });
    let (url, seen) = serve(answer).await;
    let plan = plan("http://127.0.0.1:1", Some(&url), "");

    let direct = deploy_api(&plan).apply(&pause()).await;
    let Err(ControlError::Unknown(why)) = &direct else {
        panic!("a 302 is not done: {direct:?}");
    };
    assert!(
        why.contains("302") && why.contains("/api/v1/rollout"),
        "{why}"
    );
    assert_eq!(
        *seen.lock().unwrap(),
        ["POST /api/v1/rollout/pause"],
        "the Location must not be asked for"
    );

    let dir = temp("redirect");
    let (msg, records) = execute(deploy_api(&plan), &dir).await;
    assert_eq!(
        seen.lock().unwrap().len(),
        2,
        "one POST per pause, nothing else"
    );
    let outcome = records.last().unwrap();
    assert_eq!(outcome["record"], "outcome");
    assert_eq!(outcome["result"], "unknown", "{outcome}");
    assert!(
        outcome["detail"]
            .as_str()
            .unwrap()
            .starts_with("outcome unknown"),
        "{outcome}"
    );

    // The screen says so too, not "done".
    let mut state = AppState::new(
        plan.plan.clone(),
        RunMode::Live,
        Vec::new(),
        Seat::default(),
        SystemClock.now(),
    );
    update(&mut state, msg);
    let notice = state.notice.as_ref().map(|n| n.text.clone()).unwrap();
    assert!(notice.starts_with("pause: outcome unknown"), "{notice}");
    assert!(!notice.contains("done"), "{notice}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_2xx_without_the_documented_body_is_outcome_unknown() {
    for (status, body) in [
        (200, "<html>pause accepted</html>"),
        (200, r#"{"ok":true}"#),
        (200, r#"{"result":""}"#),
        (204, ""),
        (202, r#"{"result":"#),
    ] {
        let answer: Answer = Arc::new(move |_, _| json(status, body));
        let (url, _) = serve(answer).await;
        let plan = plan("http://127.0.0.1:1", Some(&url), "");
        let result = deploy_api(&plan).apply(&pause()).await;
        match result {
            Err(ControlError::Unknown(why)) => {
                assert!(why.contains(&status.to_string()), "{why}")
            }
            other => panic!("{status} {body:?} is not done: {other:?}"),
        }
    }
    // The documented answer is done, and what it says is made safe.
    let answer: Answer = Arc::new(|_, _| {
        json(
            200,
            r#"{"result":"pause applied\u001b]52;c;cGF5bG9hZA==\u0007"}"#,
        )
    });
    let (url, _) = serve(answer).await;
    let plan = plan("http://127.0.0.1:1", Some(&url), "");
    let dir = temp("done");
    let (msg, records) = execute(deploy_api(&plan), &dir).await;
    let Msg::ActionDone { outcome, .. } = msg else {
        panic!("not an outcome");
    };
    assert_eq!(
        outcome,
        ActionOutcome::Done("pause applied�]52;c;cGF5bG9hZA==�".to_string())
    );
    let last = records.last().unwrap();
    assert_eq!(last["result"], "ok");
    assert!(!last["detail"].as_str().unwrap().contains('\u{1b}'));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn reads_follow_redirects_only_within_their_origin() {
    // Another port is another origin: refused, and never asked.
    let (elsewhere, asked_elsewhere) = serve(Arc::new(|_, _| json(200, VECTOR))).await;
    let to = format!("{elsewhere}/api/v1/query");
    let (url, _) = serve(Arc::new(move |_, _| redirect(307, &to))).await;
    let source = {
        let plan = plan(&url, None, "");
        PrometheusSource::new(&plan.metrics, &plan.plan).unwrap()
    };
    let err = source.poll().await.unwrap_err().0;
    assert!(err.contains("redirected to another origin"), "{err}");
    assert!(asked_elsewhere.lock().unwrap().is_empty());

    // Within the origin, a redirect is followed.
    let (url, seen) = serve(Arc::new(|_, path| match path {
        "/api/v1/query" => redirect(307, "/moved/api/v1/query"),
        _ => json(200, VECTOR),
    }))
    .await;
    let within = plan(&url, None, "");
    let source = PrometheusSource::new(&within.metrics, &within.plan).unwrap();
    let poll = source.poll().await.unwrap();
    assert_eq!(poll.samples.len(), 4);
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .any(|r| r == "POST /moved/api/v1/query")
    );

    // The deploy API's state is a read too.
    let to = format!("{elsewhere}/api/v1/rollout");
    let (url, _) = serve(Arc::new(move |_, _| redirect(302, &to))).await;
    let deploy = plan("http://127.0.0.1:1", Some(&url), "");
    let err = deploy_api(&deploy).poll().await.unwrap_err().0;
    assert!(err.contains("redirected to another origin"), "{err}");
    assert!(asked_elsewhere.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_answer_over_the_cap_is_refused_naming_source_and_cap() {
    let big = format!(
        r#"{{"status":"success","warnings":["{}"],"data":{{"resultType":"vector","result":[]}}}}"#,
        "w".repeat(200_000)
    );
    let (url, _) = serve(Arc::new(move |_, _| json(200, &big))).await;
    let capped = plan(&url, None, "max_answer = \"64KiB\"\n");
    let source = PrometheusSource::new(&capped.metrics, &capped.plan).unwrap();
    let err = source.poll().await.unwrap_err().0;
    assert!(err.contains("prometheus 127.0.0.1"), "{err}");
    assert!(
        err.contains("64 KiB") && err.contains("max_answer"),
        "{err}"
    );

    // Under the cap, the same answer is read.
    let plan = plan_text(&url, None, "max_answer = \"1MiB\"\n");
    let plan = PlanFile::parse(&plan, Path::new("test.toml")).unwrap();
    let source = PrometheusSource::new(&plan.metrics, &plan.plan).unwrap();
    assert!(source.poll().await.is_ok());

    // A cap that is not a size is a plan error naming the field.
    let bad = plan_text(&url, None, "max_answer = \"lots\"\n");
    let err = PlanFile::parse(&bad, Path::new("test.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("sources.metrics.max_answer"), "{err}");
    let huge = plan_text(&url, None, "max_answer = \"2GiB\"\n");
    let err = PlanFile::parse(&huge, Path::new("test.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("at most") || err.contains("between"), "{err}");
    // An argo source takes the option too, checked the same way.
    let argo = |cap: &str| {
        plan_text(&url, None, "").replace(
            "[sources.metrics]",
            &format!("[sources.deploy]\nkind = \"argo\"\nmax_answer = \"{cap}\"\n[[sources.deploy.targets]]\nregion = \"r0\"\nrollout = \"svc\"\n[sources.metrics]"),
        )
    };
    let err = PlanFile::parse(&argo("lots"), Path::new("test.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("sources.deploy.max_answer"), "{err}");
    let plan = PlanFile::parse(&argo("1MiB"), Path::new("test.toml")).unwrap();
    match plan.deploy {
        Some(warroom::config::plan::DeploySource::Argo(a)) => assert_eq!(a.max_answer, 1 << 20),
        other => panic!("not an argo source: {other:?}"),
    }
}

/// A TLS stand-in Prometheus on loopback whose certificate only the CA in
/// `ca.pem` vouches for; every answer is a redirect to `to`.
async fn https_redirecting_to(to: String, dir: &Path) -> String {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &*ca)
        .unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let app = Router::new().fallback(any(move || {
        let to = to.clone();
        async move { redirect(307, &to) }
    }));
    tokio::spawn(async move { axum::serve(Tls { tcp, acceptor }, app).await });
    format!("https://127.0.0.1:{}", addr.port())
}

struct Tls {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for Tls {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_is_never_redirected_from_https_to_http() {
    let (plain, asked) = serve(Arc::new(|_, _| json(200, VECTOR))).await;
    let dir = temp("downgrade");
    let https = https_redirecting_to(format!("{plain}/api/v1/query"), &dir).await;
    let plan_path = dir.join("plan.toml");
    std::fs::write(&plan_path, plan_text(&https, None, "")).unwrap();
    // The real binary, trusting the stand-in's CA through the usual variable.
    let run_dir = dir.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(BIN)
            .args(["status", "--plan", plan_path.to_str().unwrap()])
            .args(["--audit-log", run_dir.join("audit.jsonl").to_str().unwrap()])
            .env("SSL_CERT_FILE", run_dir.join("ca.pem"))
            .env("XDG_STATE_HOME", &run_dir)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("redirected from https to plain http"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(asked.lock().unwrap().is_empty());
    let _ = std::fs::remove_dir_all(dir);
}
