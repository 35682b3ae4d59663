//! The scripted operator's hands: keys through `update` as the dashboard
//! sends them, actions carried out by the simulated deploy API, the drill
//! stepped on its simulated clock and ended as the dashboard ends it.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use warroom::app::state::Overlay;
use warroom::app::{Effect, Msg, update};
use warroom::config::scenario::built_in;
use warroom::domain::action::{ActionOutcome, ControlError};
use warroom::domain::drill::grade::Grade;
use warroom::domain::drill::markdown::markdown;
use warroom::domain::drill::observation::Observed;
use warroom::runtime::demo::epoch;
use warroom::runtime::rehearsal::Rehearsal;
use warroom::sim::{FleetSpec, place};

use super::summary::says_the_grade;

/// A built-in scenario on its demo fleet, as `warroom drill --scenario` runs it.
pub fn drill(name: &str) -> Rehearsal {
    let regions = FleetSpec::demo(0).plan.regions;
    let s = built_in(name, &regions).unwrap().unwrap();
    let spec = FleetSpec::drill_demo(s.seed, s.pace, None);
    let placed = place(&s, &spec.plan).unwrap();
    Rehearsal::new(spec, placed)
}

/// Seconds since the drill's start.
pub fn secs(r: &Rehearsal) -> i64 {
    (r.now - epoch()).num_seconds()
}

/// A key, and every action it asks for carried out by the simulated
/// deploy API (with the script's failures), its outcome given back.
pub fn press(r: &mut Rehearsal, code: KeyCode) {
    let effects = update(
        &mut r.state,
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
    );
    for effect in effects {
        let Effect::Execute(request) = effect else {
            continue;
        };
        let answer =
            warroom::sim::adapter::act(&mut r.fleet, request.action, &request.scope, r.now)
                .unwrap_or(Err(ControlError::Timeout(Duration::from_secs(10))));
        let outcome = ActionOutcome::of(&answer.map(|()| "simulator: applied".to_string()));
        update(
            &mut r.state,
            Msg::ActionDone {
                id: request.id,
                action: request.action,
                at: r.now,
                outcome,
            },
        );
    }
}

pub fn keys(r: &mut Rehearsal, typed: &str) {
    for c in typed.chars() {
        press(r, KeyCode::Char(c));
    }
}

/// Move the matrix cursor onto `region`.
pub fn look_at(r: &mut Rehearsal, region: &str) {
    press(r, KeyCode::Char('g'));
    for _ in 0..r.state.plan.regions.len() {
        if r.state.selected_region() == Some(region) {
            return;
        }
        press(r, KeyCode::Char('j'));
    }
    panic!("no region {region} in the matrix");
}

pub fn annotate(r: &mut Rehearsal, text: &str) {
    press(r, KeyCode::Char('a'));
    keys(r, text);
    press(r, KeyCode::Enter);
}

/// Step until the screen shows trouble (in `region`, or a stale source
/// for `None`); the second it did.
pub fn until_shown(r: &mut Rehearsal, region: Option<&str>, horizon: i64) -> i64 {
    while secs(r) < horizon {
        r.step();
        let shown = r.state.observed.seen.iter().any(|o| match &o.what {
            Observed::Shown { region: at, .. } => at.as_deref() == region,
            _ => false,
        });
        if shown {
            return secs(r);
        }
    }
    panic!("nothing shown for {region:?} by {horizon}s");
}

/// End the drill as the dashboard does: q, y, then the script from the
/// handle; the grade and its Markdown debrief.
pub fn end(r: &mut Rehearsal, at: i64) -> (Grade, String) {
    r.run_to(at);
    press(r, KeyCode::Char('q'));
    assert_eq!(r.state.overlay, Overlay::EndDrill);
    let effects = update(
        &mut r.state,
        Msg::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE)),
    );
    assert_eq!(effects, vec![Effect::EndDrill]);
    let script = warroom::runtime::debrief::script(Some(&r.drill), r.now);
    assert!(script.is_some());
    update(&mut r.state, Msg::DrillEnded(script));
    let grade = *r.state.observed.graded.clone().unwrap();
    let md = markdown(&grade, &r.state.plan.service, "drill");
    (grade, md)
}

/// The horizon every drill here ends at: past each scenario's injections
/// and past the latest late action.
pub const END: i64 = 320;

/// The drill's signal: run until the screen shows trouble where the
/// operator is to look, then the operator's script, then the end.
pub fn drilled(
    name: &str,
    shown: Option<&str>,
    script: impl FnOnce(&mut Rehearsal, i64),
) -> (i64, Grade, String) {
    let mut r = drill(name);
    let signal = until_shown(&mut r, shown, 200);
    script(&mut r, signal);
    let (g, md) = end(&mut r, END);
    says_the_grade(&g, &md);
    (signal, g, md)
}

/// Look at `region` 3 s after the signal, press `act` 8 s after it.
pub fn prompt(r: &mut Rehearsal, signal: i64, region: &str, act: &str) {
    r.run_to(signal + 3);
    look_at(r, region);
    r.run_to(signal + 8);
    keys(r, act);
}

/// Look and press `act` `late` seconds after the signal.
pub fn tardy(r: &mut Rehearsal, signal: i64, region: &str, act: &str, late: i64) {
    r.run_to(signal + late);
    look_at(r, region);
    keys(r, act);
}
/// `P`: promote, confirmed with y, or past a NO-GO with a typed reason.
pub fn promote(r: &mut Rehearsal) {
    press(r, KeyCode::Char('P'));
    match r.state.overlay {
        Overlay::Confirm(_) => press(r, KeyCode::Char('y')),
        Overlay::Override { .. } => {
            keys(r, "it looks fine to me");
            press(r, KeyCode::Enter);
        }
        ref other => panic!("promote asked nothing: {other:?}"),
    }
    assert_eq!(r.state.overlay, Overlay::None);
}

/// Drafts, mark the first status update sent, close.
pub fn send_update(r: &mut Rehearsal) {
    keys(r, "cm");
    press(r, KeyCode::Esc);
}
