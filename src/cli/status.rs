//! `warroom status`: one poll of every source, printed; the exit code says
//! how it went.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;

use super::dashboard::{remembered, runtime};
use super::{paths, report};
use crate::app::state::Seat;
use crate::app::{self, Effect, Msg};
use crate::config::plan::PlanFile;
use crate::domain::clock::{Clock, SystemClock};
use crate::domain::source::{Polled, SourceError, SourceId};
use crate::integrations::secret;
use crate::runtime::session::Session;

pub fn run(plan: &Path, json: bool, audit_log: Option<&Path>) -> Result<i32> {
    let plan = PlanFile::load(plan)?;
    for warning in secret::exposed_tokens(&plan) {
        eprintln!("warroom: warning: {warning}");
    }
    // Without a state directory there is no audit log to read: the
    // scorecard's items set by people are then unknown.
    let audit = paths::audit_log(audit_log).ok();
    let session = runtime()?.block_on(poll_once(&plan, audit.as_deref()))?;
    let report = report::build(&session.state);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report::text(&report));
    }
    Ok(report.outcome.exit_code())
}

/// The session of `plan` after one poll of every source (and the baselines
/// it asks for), each answered or failed within its timeout.
pub(super) async fn poll_once(plan: &PlanFile, audit: Option<&Path>) -> Result<Session> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (recalled, unreadable) = match audit.map(|p| remembered(p, &plan.plan.service)) {
        Some(Ok(r)) => (r, None),
        Some(Err(why)) => (Default::default(), Some(why)),
        None => (Default::default(), Some("no audit log to read".to_string())),
    };
    let seat = Seat {
        remembered: recalled,
        ..Seat::default()
    };
    let mut session = Session::from_plan(plan, clock, seat)?;
    if let Some(why) = unreadable {
        app::update(&mut session.state, Msg::AuditUnreadable(why));
    }
    let mut pending: Vec<usize> = (0..session.state.sources.len()).collect();
    // Every source answers or fails within its timeout; allow for connection set-up.
    let longest = session
        .state
        .sources
        .iter()
        .map(|s| s.info.timeout)
        .max()
        .unwrap_or_default();
    let allowance = longest + Duration::from_secs(2);
    let mut deadline = tokio::time::Instant::now() + allowance;
    // Baselines asked for once the rollout's start is known: waited for too.
    let mut asked: Vec<usize> = Vec::new();
    while !pending.is_empty() || !asked.is_empty() {
        let Ok(Some(msg)) = tokio::time::timeout_at(deadline, session.messages.recv()).await else {
            break;
        };
        match &msg {
            Msg::Source { source, .. } => pending.retain(|s| *s != source.0),
            Msg::Baseline { key, .. } => asked.retain(|k| k != key),
            _ => {}
        }
        for effect in app::update(&mut session.state, msg) {
            if let (Effect::Baseline(request), Some(baselines)) = (effect, &session.baselines) {
                asked.push(request.key);
                baselines.ask(request);
                deadline = deadline.max(tokio::time::Instant::now() + allowance);
            }
        }
    }
    for i in pending {
        let polled = Polled {
            at: session.state.now,
            took: longest,
            result: Err(SourceError("no answer in time".to_string())),
            notes: Vec::new(),
        };
        let msg = Msg::Source {
            source: SourceId(i),
            polled,
        };
        app::update(&mut session.state, msg);
    }
    Ok(session)
}
