//! `warroom drill`: a tabletop drill on the embedded simulator, then its
//! debrief, printed and recorded.

use std::sync::Arc;

use anyhow::Result;

use super::args::DrillArgs;
use super::dashboard::{self, Screen, runtime};
use crate::audit::Mode;
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
    let screen = Screen::prepare(args, look, &rollout.service, Some(Mode::Drill))?;
    let audit = screen.audit.clone();
    let (state, began) = runtime()?.block_on(async {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let began = clock.now();
        let session =
            Session::drill(spec, clock.clone(), screen.seat.clone()).with_receivers(&receivers)?;
        // The facilitator's seat reaches the script here, never through the screen.
        let _facilitator = match &session.drill {
            Some(handle) => Some(crate::runtime::facilitate::serve(
                handle.clone(),
                clock.clone(),
                super::paths::drill_socket(None)?,
            )?),
            None => None,
        };
        dashboard::run(session, screen, clock, &origin)
            .await
            .map(|state| (state, began))
    })?;
    let drilled = super::debrief::Drilled {
        state: &state,
        plan: &rollout,
        of_plan: plan.is_some(),
        began,
        fault_at,
    };
    super::debrief::conclude(&drilled, &audit)
}
