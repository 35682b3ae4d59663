//! The loopback receivers and the states the notification tests drive.

use super::*;

/// What a receiver does with a request.
#[derive(Clone, Copy)]
pub enum Behaviour {
    Answer(u16),
    /// Answer the first `n` requests with 503, then 200.
    Unavailable(usize),
    /// Take the connection and never answer.
    Hang,
}

/// One request a test receiver took: its path and JSON body.
#[derive(Debug, Clone)]
pub struct Taken {
    pub path: String,
    pub body: Value,
}

/// A receiver on loopback that records what it is sent.
pub struct Hook {
    pub addr: String,
    taken: Arc<Mutex<Vec<Taken>>>,
    /// Connections accepted, answered or not.
    pub accepted: Arc<Mutex<usize>>,
}

impl Hook {
    pub async fn start(behaviour: Behaviour) -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let taken = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::new(Mutex::new(0));
        let (t, a) = (taken.clone(), accepted.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut conn, _)) = listener.accept().await else {
                    return;
                };
                *a.lock().unwrap() += 1;
                let t = t.clone();
                tokio::spawn(async move {
                    let Some(req) = read_request(&mut conn).await else {
                        return;
                    };
                    match behaviour {
                        Behaviour::Hang => {
                            t.lock().unwrap().push(req);
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                        }
                        Behaviour::Answer(_) | Behaviour::Unavailable(_) => {
                            let seen = {
                                let mut t = t.lock().unwrap();
                                t.push(req);
                                t.len()
                            };
                            let code = match behaviour {
                                Behaviour::Unavailable(n) if seen <= n => 503,
                                Behaviour::Answer(code) => code,
                                _ => 200,
                            };
                            let body = if code == 202 {
                                r#"{"status":"success","message":"Event processed"}"#
                            } else {
                                "ok"
                            };
                            let answer = format!(
                                "HTTP/1.1 {code} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                                body.len()
                            );
                            let _ = conn.write_all(answer.as_bytes()).await;
                        }
                    }
                });
            }
        });
        Hook {
            addr,
            taken,
            accepted,
        }
    }

    pub fn taken(&self) -> Vec<Taken> {
        self.taken.lock().unwrap().clone()
    }
}

/// One HTTP/1.1 request with a content-length body.
pub async fn read_request(conn: &mut tokio::net::TcpStream) -> Option<Taken> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        let Some(end) = text.find("\r\n\r\n") else {
            continue;
        };
        let head = &text[..end];
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            let path = head.split_whitespace().nth(1)?.to_string();
            let body = serde_json::from_slice(&buf[end + 4..end + 4 + length]).ok()?;
            return Some(Taken { path, body });
        }
    }
}

/// The simulator example with `notify` appended, its secrets in files of `dir`.
pub fn plan_with(dir: &std::path::Path, notify: &str) -> PlanFile {
    let text = format!(
        "{}\n{notify}",
        std::fs::read_to_string(common::simulator_plan()).unwrap()
    );
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    PlanFile::load(&path).unwrap()
}

pub fn receivers(plan: &PlanFile) -> Vec<Receiver> {
    plan.notify
        .iter()
        .map(|r| Receiver::open(r).unwrap())
        .collect()
}

/// The demo's rollout as a live screen, its conditions breached at once
/// and only alerting, listening to `plan`'s receivers.
pub fn live_state(plan: &PlanFile) -> AppState {
    let rollout = warroom::sim::FleetSpec::demo(1).plan;
    let seat = Seat::new("alice", vec!["dark".into()]);
    let infos = warroom::sim::adapter::source_infos();
    let mut s = AppState::new(rollout, RunMode::Live, infos, seat, epoch());
    let mut conditions = s.plan.stop_conditions.clone();
    for c in &mut conditions {
        c.hold = Span::zero();
        c.consequence = Consequence::Alert;
    }
    s.guardrails = Guardrails::new(conditions);
    for r in &plan.notify {
        s.receivers
            .push(warroom::app::receivers::ReceiverHealth::new(
                &r.name,
                r.kind.word(),
            ));
    }
    s
}

pub fn polled(source: usize, at: Timestamp, result: Report) -> Msg {
    Msg::Source {
        source: SourceId(source),
        polled: Polled {
            at,
            took: Duration::ZERO,
            result: Ok(result),
            notes: vec![],
        },
    }
}

pub fn status(wave: usize) -> Report {
    Report::Rollout(RolloutStatus {
        phase: Phase::Progressing,
        wave,
        held: Span::seconds(3),
        message: None,
        regions: ["eu-west-1", "us-east-1", "ap-southeast-1", "sa-east-1"]
            .iter()
            .enumerate()
            .map(|(i, r)| RegionRollout::following(*r, if i == 0 { 5 } else { 0 }))
            .collect(),
        observed_at: epoch(),
    })
}

/// eu-west-1's numbers, its canary's error rate `error_rate`.
pub fn metrics(error_rate: f64) -> Report {
    let mut out = Vec::new();
    for version in [VersionRole::Stable, VersionRole::Canary] {
        let err = if version == VersionRole::Canary {
            error_rate
        } else {
            0.003
        };
        for (signal, value) in [
            ("request_rate", 100.0),
            ("error_rate", err),
            ("latency_p99", 0.2),
            ("success_rate", 0.995),
        ] {
            out.push(Sample {
                region: "eu-west-1".into(),
                version,
                signal: Signals::standard().get(signal).cloned().unwrap(),
                value,
                basis: Default::default(),
            });
        }
    }
    Report::Metrics(out)
}

pub fn notifications(effects: Vec<Effect>) -> Vec<Notification> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Notify(n) => Some(n),
            _ => None,
        })
        .collect()
}

pub fn fast() -> Backoff {
    Backoff {
        tries: 3,
        first: Duration::from_millis(20),
        cap: Duration::from_millis(80),
    }
}

pub struct Sending {
    pub notifier: Notifier,
    pub rx: mpsc::Receiver<Msg>,
    pub audit: std::path::PathBuf,
}

pub fn sending(dir: &std::path::Path, receivers: Vec<Receiver>, backoff: Backoff) -> Sending {
    sending_as(dir, receivers, backoff, None)
}

pub fn sending_as(
    dir: &std::path::Path,
    receivers: Vec<Receiver>,
    backoff: Backoff,
    mode: Option<warroom::audit::Mode>,
) -> Sending {
    let (tx, rx) = mpsc::channel(64);
    let audit = dir.join("audit.jsonl");
    let log = Arc::new(warroom::audit::AuditLog::open(&audit).unwrap());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let outlet = Outlet {
        tx,
        audit: Some(log),
        clock,
        mode,
        backoff,
    };
    Sending {
        notifier: Notifier::start(receivers, outlet),
        rx,
        audit,
    }
}

/// Take the sender's reports into `state` until `done` holds of it.
pub async fn until(
    state: &mut AppState,
    rx: &mut mpsc::Receiver<Msg>,
    done: impl Fn(&AppState) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done(state) {
        let msg = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the sender reported in time")
            .expect("the sender is running");
        update(state, msg);
    }
}

pub fn timeline_text(state: &AppState) -> String {
    state
        .timeline
        .newest_first()
        .map(|e| e.text.clone())
        .collect::<Vec<_>>()
        .join("\n")
}
