//! `warroom drill`: a tabletop drill of a scenario on the embedded
//! simulator, then its debrief, printed and recorded.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Result, bail};

use super::args::DrillArgs;
use super::dashboard::{self, Screen, runtime};
use crate::audit::Mode;
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
    let mut screen = Screen::prepare(args, look, &rollout.service, Some(Mode::Drill))?;
    // A drill is always recorded; the path is printed when it ends.
    screen.record = Some(super::replay::drill_recording(
        drill,
        &scenario,
        spec.seed,
        &rollout.service,
    )?);
    let audit = screen.audit.clone();
    let (state, handle, began) = runtime()?.block_on(async {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let began = clock.now();
        let session = Session::drill_of(spec, scenario, clock.clone(), screen.seat.clone())
            .with_receivers(&receivers)?;
        let handle = session.drill.clone();
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
            .map(|state| (state, handle, began))
    })?;
    // Without a script, the debrief reads from when the first fault began.
    let first_fault = handle.as_ref().and_then(|h| {
        h.view(chrono::Utc::now())
            .injections
            .iter()
            .filter_map(|i| i.started)
            .min()
    });
    let drilled = super::debrief::Drilled {
        state: &state,
        plan: &rollout,
        of_plan: plan.is_some(),
        began,
        fault_at: first_fault.map_or(Span::zero(), |t| (t - began).max(Span::zero())),
    };
    super::debrief::conclude(&drilled, &audit)
}
