//! The end of a drill, where the script meets the app: the drill's script
//! read once, at its end, into the pure values the debrief grades. Before
//! then nothing of it reaches the participants' screen.

use crate::domain::Timestamp;
use crate::domain::drill::grade::{Ran, Script};
use crate::sim::drill::{DrillHandle, ScriptView};

/// The script of the drill held by `drill` at `now`; `None` without one
/// (the drill is then graded the classic way).
pub fn script(drill: Option<&DrillHandle>, now: Timestamp) -> Option<Box<Script>> {
    let drill = drill?;
    let scenario = drill.scenario();
    Some(Box::new(of_view(scenario, &drill.view(now))))
}

/// The values the debrief grades, from the script's view.
pub fn of_view(scenario: crate::domain::drill::scenario::Scenario, view: &ScriptView) -> Script {
    let injections = view
        .injections
        .iter()
        .map(|r| Ran {
            id: r.id.clone(),
            summary: r.summary.clone(),
            region: None,
            started: r.started,
            ended: r.ended,
            failed_requests: r.failed_requests,
        })
        .collect();
    Script {
        scenario,
        injections,
    }
}
