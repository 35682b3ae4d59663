//! `warroom` (the demo) and `warroom watch --plan FILE`.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;

use super::args::{DashboardArgs, Look, Record, SimChoice};
use super::dashboard::{self, Screen, runtime};
use crate::audit::Mode;
use crate::config::plan::PlanFile;
use crate::domain::clock::{Clock, SystemClock};
use crate::integrations::secret;
use crate::runtime::journal::{Kind, Origin, Recording};
use crate::runtime::session::Session;

/// The dashboard on the embedded simulated rollout: the demo's regions, or
/// `regions` generated ones.
pub fn demo(
    look: &Look,
    sim: &SimChoice,
    regions: Option<usize>,
    args: &DashboardArgs,
    record: &Record,
) -> Result<i32> {
    let spec = sim.spec(regions);
    let receivers = dashboard::asked_receivers(args, None)?;
    let mut screen = Screen::prepare(args, look, &spec.plan.service, Some(Mode::Demo))?;
    screen.record = record.record.clone().map(|path| Recording {
        path,
        kind: Kind::Demo,
        origin: Origin::Sim {
            scenario: sim.scenario.word().to_string(),
            seed: sim.seed,
            regions: None,
        },
    });
    runtime()?.block_on(async {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let session =
            Session::demo(spec, clock.clone(), screen.seat.clone()).with_receivers(&receivers)?;
        dashboard::run(session, screen, clock, "the embedded simulator").await
    })?;
    Ok(0)
}

/// The dashboard on the real rollout `plan` describes.
pub fn plan(plan: &Path, look: &Look, args: &DashboardArgs, record: &Record) -> Result<i32> {
    let path = plan;
    let plan = PlanFile::load(path)?;
    // Before the screen is taken: still there to read when the dashboard ends.
    for warning in secret::exposed_tokens(&plan) {
        eprintln!("warroom: warning: {warning}");
    }
    let mut screen = Screen::prepare(args, look, &plan.plan.service, None)?;
    if let Some(file) = &record.record {
        // The text as read for this session, so the replay parses the same plan.
        let text =
            crate::config::file::read_capped(path, crate::config::file::PLAN_MAX_BYTES, "a plan")?;
        screen.record = Some(Recording {
            path: file.clone(),
            kind: Kind::Watch,
            origin: Origin::Plan {
                path: path.display().to_string(),
                text,
                seed: None,
            },
        });
    }
    runtime()?.block_on(async {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let session = Session::from_plan(&plan, clock.clone(), screen.seat.clone())?
            .with_receivers(&plan.notify)?;
        let origin = plan.path.display().to_string();
        dashboard::run(session, screen, clock, &origin).await
    })?;
    Ok(0)
}
