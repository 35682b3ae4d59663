//! A journal of the demo made without a terminal or a clock: the
//! simulator's reports second by second, as the live loop would journal
//! them. The replay's tests and benchmark read it.

use std::io;
use std::path::Path;

use crate::app::state::{AppState, RunMode, Seat};
use crate::app::{Effect, Msg, update};
use crate::domain::Span;
use crate::domain::source::{Polled, Report, SourceId};
use crate::runtime::demo::{built_in_theme_names, epoch};
use crate::runtime::journal::{Header, Journal, Kind, Opening, Origin, Recording};
use crate::runtime::session::{demo_history, demo_scorecard};
use crate::sim::adapter::source_infos;
use crate::sim::{Fleet, FleetSpec};

/// Journal `seconds` of the demo (seed `seed`, its fault included) at one
/// poll a second to `path`, at a 120×40 terminal; the final state.
pub fn demo_journal(path: &Path, seconds: i64, seed: u64) -> io::Result<AppState> {
    let spec = FleetSpec::demo(seed);
    let start = epoch();
    let seat = Seat {
        remembered: demo_scorecard(start),
        ..Seat::new("demo", built_in_theme_names())
    };
    let mut opening = Opening::new(&seat, source_infos(), RunMode::Demo, start);
    let mut state = AppState::new(
        spec.plan.clone(),
        RunMode::Demo,
        source_infos(),
        seat,
        start,
    );
    let history = demo_history(&spec.plan, seed, start);
    opening.apply(&mut state, Msg::History(Ok(Box::new(history))));
    let recording = Recording {
        path: path.to_path_buf(),
        kind: Kind::Demo,
        origin: Origin::Sim {
            scenario: "fault".to_string(),
            seed,
            regions: None,
        },
    };
    let header = Header::new(&recording, &opening, (120, 40), "dark");
    let mut journal = Journal::create(path, &header, &opening.msgs)?;
    let mut fleet = Fleet::new(spec, start);
    for second in 1..=seconds {
        let now = start + Span::seconds(second);
        fleet.advance(now);
        let reports = [
            Report::Rollout(fleet.status()),
            Report::Metrics(fleet.sample(now)),
        ];
        let mut msgs = vec![Msg::Tick(now)];
        msgs.extend(
            reports
                .into_iter()
                .enumerate()
                .map(|(i, report)| Msg::Source {
                    source: SourceId(i),
                    polled: Polled::instant(now, report),
                }),
        );
        for msg in msgs {
            if let Some(why) = journal.record(now, None, &msg) {
                return Err(io::Error::other(why));
            }
            for effect in update(&mut state, msg) {
                if let Effect::HoldAtGate { wave, hold } = effect {
                    fleet.hold_at_gate(wave, hold, now);
                }
            }
        }
    }
    Ok(state)
}
