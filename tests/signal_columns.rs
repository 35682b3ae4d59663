//! The health matrix shows the signals a plan chooses, in the plan's
//! order: golden screens with columns of the plan's own.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use warroom::domain::signal::{SignalDef, Signals};
use warroom::runtime::demo::state_at;
use warroom::sim::FleetSpec;
use warroom::ui;
use warroom::ui::theme;

/// The demo with success rate first and latency second, the error rate
/// kept to the region detail and the stop conditions.
fn reordered() -> FleetSpec {
    let mut spec = FleetSpec::demo(42);
    let defs = spec.plan.signals.iter().map(|s| {
        let mut d: SignalDef = s.def().clone();
        d.column = match d.name.as_str() {
            "success_rate" => Some(1),
            "latency_p99" => Some(2),
            "error_rate" => None,
            _ => d.column,
        };
        d
    });
    let signals = Signals::new(defs.collect::<Vec<_>>());
    // Conditions and rules keep their own handles: rebuilt from the new set.
    for c in &mut spec.plan.stop_conditions {
        c.signal = signals.get(c.signal.name()).cloned().unwrap();
    }
    for r in &mut spec.plan.judgment.rules {
        r.signal = signals.get(r.signal.name()).cloned().unwrap();
    }
    spec.plan.signals = signals;
    spec
}

fn screen(spec: FleetSpec, w: u16, h: u16) -> String {
    let state = state_at(spec, 85);
    let theme = &theme::resolve(None, false).unwrap().0[0];
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| ui::draw(f, &state, theme)).unwrap();
    format!("{}", terminal.backend())
}

#[test]
fn the_matrix_follows_the_plans_columns_at_80x24_and_160x48() {
    for (w, h) in [(80, 24), (160, 48)] {
        let text = screen(reordered(), w, h);
        insta::assert_snapshot!(format!("custom_columns_{w}x{h}"), text);
        let header = text
            .lines()
            .find(|l| l.contains("Region"))
            .unwrap_or_default()
            .to_string();
        let succ = header.find("succ").unwrap_or_else(|| panic!("{header}"));
        let p99 = header.find("p99").unwrap_or_else(|| panic!("{header}"));
        assert!(succ < p99, "success rate comes first: {header}");
        assert!(
            !header.contains(" err "),
            "the error rate is not a column: {header}"
        );
    }
}

/// The demo guarded only by its queues: deeper than 150 is a breach.
#[test]
fn a_region_breached_on_its_own_signal_says_so_in_its_row_and_in_status() {
    let mut spec = FleetSpec::demo(42);
    let queue = spec.plan.signals.get("queue_depth").cloned().unwrap();
    let mut c = spec.plan.stop_conditions[0].clone();
    c.signal = queue;
    c.direction = warroom::domain::guardrail::Direction::Above;
    c.warn = 120.0;
    c.breach = 150.0;
    spec.plan.stop_conditions = vec![c];
    let state = state_at(spec, 85);
    let report = warroom::cli::report::build(&state);
    let line = |region: &str| report.regions.iter().find(|r| r.region == region).unwrap();
    let depth = |region: &str| {
        line(region)
            .signals
            .iter()
            .find(|s| s.name == "queue_depth")
            .and_then(|s| s.value)
            .unwrap()
    };
    // us-east-1's queue is past 150 and its row says BREACH; eu-west-1's
    // is not and its row is OK.
    assert!(depth("us-east-1") > 150.0, "{}", depth("us-east-1"));
    assert_eq!(line("us-east-1").canary.verdict, "BREACH");
    assert!(depth("eu-west-1") < 120.0, "{}", depth("eu-west-1"));
    assert_eq!(line("eu-west-1").canary.verdict, "OK");
    assert_eq!(report.verdict, "NO-GO");
}
