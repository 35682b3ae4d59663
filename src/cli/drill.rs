//! `warroom drill`: a tabletop drill on the embedded simulator, then its
//! debrief, printed and recorded.

use std::sync::Arc;

use anyhow::Result;

use super::args::DrillArgs;
use super::dashboard::{self, Screen, runtime};
use crate::audit::{AuditRecord, Mode};
use crate::config::plan::PlanFile;
use crate::domain::clock::{Clock, SystemClock};
use crate::runtime::session::Session;
use crate::sim::FleetSpec;

/// `warroom drill`: the dashboard on a rehearsal, then the debrief.
pub fn run(drill: &DrillArgs) -> Result<i32> {
    let (plan, fault_at, seed) = (drill.plan.as_deref(), drill.fault_at, drill.seed);
    let (look, args) = (&drill.look, &drill.dashboard);
    let fault_at = chrono::TimeDelta::seconds(i64::from(fault_at));
    let mut drilled = None;
    let (spec, origin) = match plan {
        Some(path) => {
            let plan = PlanFile::load(path)?;
            let origin = format!("a drill of {}", path.display());
            let spec = FleetSpec::rehearsal(&plan.plan, seed, fault_at);
            drilled = Some(plan);
            (spec, origin)
        }
        None => {
            let mut spec = FleetSpec::demo(seed);
            for f in &mut spec.faults {
                f.starts_after = fault_at;
            }
            (spec, "a drill of the demo rollout".to_string())
        }
    };
    let rollout = spec.plan.clone();
    let receivers = dashboard::asked_receivers(args, drilled.as_ref())?;
    let mut screen = Screen::prepare(args, look, &rollout.service, Some(Mode::Drill))?;
    // A drill is always recorded; the path is printed when it ends.
    screen.record = Some(super::replay::drill_recording(drill, &rollout.service)?);
    let audit = screen.audit.clone();
    let (state, began) = runtime()?.block_on(async {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let began = clock.now();
        let session =
            Session::drill(spec, clock.clone(), screen.seat.clone()).with_receivers(&receivers)?;
        dashboard::run(session, screen, clock, &origin)
            .await
            .map(|state| (state, began))
    })?;
    let ended = chrono::Utc::now();
    let debrief = crate::domain::drill::debrief(&state.timeline, began + fault_at, ended);
    if !debrief.fault_began() {
        println!("the drill ended before its fault began: nothing was rehearsed or recorded");
        return Ok(0);
    }
    print!("{debrief}");
    audit.append(&AuditRecord::drill(
        &rollout,
        plan.is_some(),
        &state.operator,
        ended,
        &debrief,
    ))?;
    println!("recorded in {}", audit.path().display());
    if debrief.rehearsed() {
        println!("the scorecard counts it as a rehearsal of the rollback runbook");
    } else {
        println!(
            "not a rehearsal: the fault must be shown as a breach and paused or rolled back for the scorecard to count the drill"
        );
    }
    Ok(0)
}
