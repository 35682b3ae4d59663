//! `[signals]` checked: every field, every mistake with its line.

use std::path::Path;

use super::*;

/// The simulator example with its `[signals]` table replaced.
fn with_signals(signals: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find("\n[signals]").unwrap() + 1;
    let end = text[start..].find("\n\n").unwrap() + start;
    format!("{}{signals}{}", &text[..start], &text[end..])
}

fn expect_error(text: &str, line: usize, field: &str, problem: &str) {
    match PlanFile::parse(text, Path::new("plan.toml")) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => {
            assert_eq!((e.line, e.field.as_str()), (line, field), "{e}");
            assert!(e.problem.contains(problem), "{e}");
        }
    }
}

/// The three signals the example's stop conditions name, and `more`.
fn load(more: &str) -> PlanFile {
    let text = with_signals(&format!(
        "[signals]\nlatency_p99 = 'histogram_quantile(0.99, sum by (region, version, le) (rate(b[1m])))'\n\
         success_rate = 'sum by (region, version) (rate(s[1m]))'\n{more}"
    ));
    match PlanFile::parse(&text, Path::new("plan.toml")) {
        Ok(p) => p,
        Err(e) => panic!("{e}\n{text}"),
    }
}

#[test]
fn a_signal_of_the_plans_own_has_its_unit_label_and_place() {
    let plan = load(
        "error_rate = 'sum by (region, version) (rate(e[1m]))'\n\n\
         [signals.checkout_completion]\nquery = 'sum by (region, version) (rate(c[5m]))'\n\
         unit = \"ratio\"\nbad = \"lower\"\nlabel = \"checkout done\"\ncolumn = 1\n\n\
         [signals.queue_depth]\nquery = 'max by (region) (q)'\nunit = \"count\"\nbad = \"higher\"\nscope = \"region\"\n\n\
         [signals.support_tickets]\nquery = 'sum(rate(t[1h])) * 3600'\nunit = \"tickets/h\"\nbad = \"higher\"\nscope = \"global\"",
    );
    let s = &plan.plan.signals;
    let names: Vec<&str> = s.iter().map(|s| s.name()).collect();
    assert_eq!(
        names,
        [
            "latency_p99",
            "success_rate",
            "error_rate",
            "checkout_completion",
            "queue_depth",
            "support_tickets"
        ]
    );
    let chk = s.get("checkout_completion").unwrap();
    assert_eq!(chk.label(), "checkout done");
    assert_eq!(chk.short(), "checkout");
    assert_eq!(chk.worse(), Worse::Lower);
    assert_eq!(s.get("queue_depth").unwrap().per(), Per::Region);
    let tickets = s.get("support_tickets").unwrap();
    assert_eq!(tickets.per(), Per::Service);
    assert_eq!(tickets.unit(), &Unit::Other("tickets/h".into()));
    let columns: Vec<&str> = s.columns().iter().map(|s| s.name()).collect();
    assert_eq!(
        columns,
        [
            "checkout_completion",
            "latency_p99",
            "success_rate",
            "error_rate",
            "queue_depth"
        ]
    );
    assert_eq!(plan.metrics.queries.len(), 6);
    assert_eq!(plan.metrics.queries[5].0, *tickets);
}

#[test]
fn a_standard_signal_in_a_table_keeps_its_defaults() {
    let plan = load(
        "\n[signals.error_rate]\nquery = 'sum by (region, version) (rate(e[1m]))'\ncolumn = false",
    );
    let err = plan.plan.signals.get("error_rate").unwrap();
    assert_eq!(err.unit(), &Unit::Ratio);
    assert_eq!(err.worse(), Worse::Higher);
    assert_eq!(plan.plan.signals.columns().len(), 2);
}

#[test]
fn a_level_a_ratio_cannot_reach_and_an_undefined_signal_are_refused() {
    let base = with_signals(
        "[signals]\nlatency_p99 = 'q'\nsuccess_rate = 'q'\nerror_rate = 'q'\n\n\
         [signals.checkout]\nquery = 'q'\nunit = \"ratio\"\nbad = \"lower\"",
    );
    let at = |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let text = base.replacen(
        "[[stop_conditions]]",
        "[[stop_conditions]]\nsignal = \"checkout\"\nbelow = 1.5\nfor = \"1m\"\n\n[[stop_conditions]]",
        1,
    );
    expect_error(
        &text,
        at(&text, "below = 1.5"),
        "stop_conditions[0].below",
        "share from 0 to 1",
    );
    let text = base.replacen(
        "[[stop_conditions]]",
        "[[stop_conditions]]\nsignal = \"checkout_rate\"\nbelow = 0.5\nfor = \"1m\"\n\n[[stop_conditions]]",
        1,
    );
    expect_error(
        &text,
        at(&text, "signal = \"checkout_rate\""),
        "stop_conditions[0].signal",
        "defines latency_p99, success_rate, error_rate, checkout",
    );
}

#[test]
fn each_mistake_names_its_line_and_field() {
    let cases = [
        (
            "[signals]\ncheckout = 'q'",
            2,
            "signals.checkout",
            "not one of the standard",
        ),
        (
            "[signals.checkout]\nquery = 'q'\nbad = \"lower\"",
            1,
            "signals.checkout.unit",
            "is missing",
        ),
        (
            "[signals.checkout]\nquery = 'q'\nunit = \"ratio\"",
            1,
            "signals.checkout.bad",
            "is missing",
        ),
        (
            "[signals.checkout]\nquery = 'q'\nunit = \"ratio\"\nbad = \"worse\"",
            4,
            "signals.checkout.bad",
            "higher",
        ),
        (
            "[signals.checkout]\nquery = 'q'\nunit = \"ratio\"\nbad = \"lower\"\nscope = \"planet\"",
            5,
            "signals.checkout.scope",
            "global",
        ),
        (
            "[signals.checkout]\nquery = 'q'\nunit = \"ratio\"\nbad = \"lower\"\ncolumn = 0",
            5,
            "signals.checkout.column",
            "from 1 to 99",
        ),
        (
            "[signals.checkout]\nquery = 'q'\nunit = \"ratio\"\nbad = \"lower\"\nshort = \"much too long\"",
            5,
            "signals.checkout.short",
            "at most 10",
        ),
        (
            "[signals.checkout]\nquery = 'q'\nunit = \"ratio\"\nbad = \"lower\"\nunti = 1",
            5,
            "signals.checkout.unti",
            "unknown field",
        ),
        (
            "[signals.checkout]\nunit = \"ratio\"\nbad = \"lower\"",
            1,
            "signals.checkout.query",
            "missing",
        ),
        (
            "[signals.checkout]\nquery = 'q'\nunit = \"second\"\nbad = \"lower\"",
            3,
            "signals.checkout.unit",
            "did you mean \"seconds\"",
        ),
        (
            "[signals.checkout]\nquery = 'q'\nunit = \"ms\"\nbad = \"lower\"",
            3,
            "signals.checkout.unit",
            "in seconds",
        ),
        (
            "[signals.checkout]\nquery = 'q'\nunit = \"Ratio\"\nbad = \"lower\"",
            3,
            "signals.checkout.unit",
            "lower-case",
        ),
        (
            "[signals.checkout]\nquery = 'q'\nunit = \"\"\nbad = \"lower\"",
            3,
            "signals.checkout.unit",
            "empty",
        ),
        (
            "[signals.Checkout]\nquery = 'q'\nunit = \"ratio\"\nbad = \"lower\"",
            1,
            "signals.Checkout",
            "not a signal name",
        ),
        (
            "[signals.t]\nquery = 'q'\nunit = \"count\"\nbad = \"higher\"\nscope = \"global\"\ncolumn = 2",
            6,
            "signals.t.column",
            "beneath the matrix",
        ),
    ];
    for (signals, line, field, problem) in cases {
        let text = with_signals(signals);
        let start = text.find("[signals").unwrap();
        let before = text[..start].lines().count();
        expect_error(&text, before + line, field, problem);
    }
}
