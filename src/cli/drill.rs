//! `warroom drill`: a tabletop drill of a scenario on the embedded
//! simulator, then its debrief, printed and recorded.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Result, bail};

use super::args::DrillArgs;
use super::dashboard::{self, Screen, runtime};
use crate::audit::{AuditRecord, Mode};
use crate::config::plan::PlanFile;
use crate::config::scenario::{self, BUILT_IN};
use crate::domain::Span;
use crate::domain::clock::{Clock, SystemClock};
use crate::domain::drill::scenario::{FleetChoice, Scenario, Start};
use crate::runtime::session::Session;
use crate::sim::FleetSpec;

/// The demo fleet's regions, against which scenarios on it are checked.
fn demo_regions() -> Vec<String> {
    FleetSpec::demo(0).plan.regions
}

/// Every built-in scenario, a line each: name and title.
pub fn list() -> Result<String> {
    let regions = demo_regions();
    let mut out = String::new();
    let width = BUILT_IN.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, _) in BUILT_IN {
        let Some(found) = scenario::built_in(name, &regions) else {
            continue;
        };
        let s = found?;
        out.push_str(&format!("{name:width$}  {}\n", s.title));
    }
    Ok(out)
}

/// The scenario `said`: a built-in's name, or a file.
pub fn choose(said: &str) -> Result<Scenario> {
    let regions = demo_regions();
    if let Some(found) = scenario::built_in(said, &regions) {
        return Ok(found?);
    }
    let path = Path::new(said);
    if path.exists() || said.ends_with(".toml") {
        return Ok(scenario::load(path, &regions)?);
    }
    let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
    bail!(
        "no scenario `{said}`: give a scenario file or one of {} (see drill --list)",
        names.join(", ")
    )
}

/// The fleet `scenario` runs on, and the scenario with `--fault-at`
/// moving its first timed injection and its regions placed on the fleet.
fn fleet_for(
    drill: &DrillArgs,
    mut scenario: Scenario,
    plan: Option<&PlanFile>,
) -> Result<(FleetSpec, Scenario)> {
    let seed = drill.seed.unwrap_or(scenario.seed);
    let spec = match (plan, scenario.fleet) {
        (Some(plan), _) => FleetSpec::fitted(&plan.plan, seed, scenario.pace),
        (None, FleetChoice::Plan) => bail!(
            "scenario {} drills a plan's rollout: give --plan FILE",
            scenario.name
        ),
        (None, FleetChoice::Demo) => {
            FleetSpec::drill_demo(seed, scenario.pace, drill.regions.map(usize::from))
        }
    };
    if let Some(at) = drill.fault_at {
        let first = scenario
            .injections
            .iter_mut()
            .find(|i| matches!(i.start, Start::At(_)));
        if let Some(first) = first {
            first.start = Start::At(Span::seconds(i64::from(at)));
        }
    }
    let placed = crate::sim::place(&scenario, &spec.plan).map_err(anyhow::Error::msg)?;
    Ok((spec, placed))
}

/// `warroom drill`: the dashboard on a rehearsal, then the debrief.
pub fn run(drill: &DrillArgs) -> Result<i32> {
    if drill.list {
        print!("{}", list()?);
        return Ok(0);
    }
    let scenario = choose(&drill.scenario)?;
    let plan = drill.plan.as_deref();
    let (look, args) = (&drill.look, &drill.dashboard);
    let drilled = plan.map(PlanFile::load).transpose()?;
    let (spec, scenario) = fleet_for(drill, scenario, drilled.as_ref())?;
    let origin = match plan {
        Some(path) => format!("drill {} of {}", scenario.name, path.display()),
        None => format!("drill {} of the demo rollout", scenario.name),
    };
    let rollout = spec.plan.clone();
    let receivers = dashboard::asked_receivers(args, drilled.as_ref())?;
    let screen = Screen::prepare(args, look, &rollout.service, Some(Mode::Drill))?;
    let audit = screen.audit.clone();
    let (state, handle) = runtime()?.block_on(async {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let session = Session::drill_of(spec, scenario, clock.clone(), screen.seat.clone())
            .with_receivers(&receivers)?;
        let handle = session.drill.clone();
        dashboard::run(session, screen, clock, &origin)
            .await
            .map(|state| (state, handle))
    })?;
    let ended = chrono::Utc::now();
    // The debrief reads from the first fault that began.
    let fault_at = handle.as_ref().and_then(|h| {
        h.view(ended)
            .injections
            .iter()
            .filter_map(|i| i.started)
            .min()
    });
    let Some(fault_at) = fault_at else {
        println!("the drill ended before its fault began: nothing was rehearsed or recorded");
        return Ok(0);
    };
    let debrief = crate::domain::drill::debrief(&state.timeline, fault_at, ended);
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
