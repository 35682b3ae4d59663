use super::*;

fn t(s: i64) -> Timestamp {
    Timestamp::default() + Span::seconds(s)
}

fn sample(region: &str, version: VersionRole, signal: Signal, value: f64) -> Sample {
    Sample {
        region: region.into(),
        version,
        signal,
        value,
        basis: Basis::Current,
    }
}

#[test]
fn a_poll_that_omits_a_cell_marks_it_missing() {
    let mut m = HealthMatrix::new(["eu".to_string(), "us".to_string()]);
    m.ingest_poll(
        t(0),
        &[
            sample(
                "eu",
                VersionRole::Canary,
                crate::domain::signal::standard("error_rate"),
                0.01,
            ),
            sample(
                "us",
                VersionRole::Canary,
                crate::domain::signal::standard("error_rate"),
                0.02,
            ),
        ],
    );
    m.ingest_poll(
        t(1),
        &[sample(
            "eu",
            VersionRole::Canary,
            crate::domain::signal::standard("error_rate"),
            0.03,
        )],
    );
    let eu = m
        .cell_by_name("eu", VersionRole::Canary)
        .map(|c| c.latest(&crate::domain::signal::standard("error_rate")));
    let us = m
        .cell_by_name("us", VersionRole::Canary)
        .map(|c| c.latest(&crate::domain::signal::standard("error_rate")));
    assert_eq!(eu, Some(Some(0.03)));
    assert_eq!(
        us,
        Some(None),
        "a missing cell must not keep showing its old value"
    );
    let gap = m.cell_by_name("us", VersionRole::Canary).map(|c| {
        c.series(&crate::domain::signal::standard("error_rate"))
            .values()
            .last()
    });
    assert!(
        gap.flatten().is_some_and(f64::is_nan),
        "a missing poll leaves a gap in the trend"
    );
}

#[test]
fn a_signal_missing_from_a_poll_is_no_value_even_when_others_arrive() {
    let mut m = HealthMatrix::default();
    let both = [
        sample(
            "eu",
            VersionRole::Canary,
            crate::domain::signal::standard("error_rate"),
            0.002,
        ),
        sample(
            "eu",
            VersionRole::Canary,
            crate::domain::signal::standard("latency_p99"),
            0.2,
        ),
    ];
    m.ingest_poll(t(0), &both);
    m.ingest_poll(t(1), &both[1..]);
    let cell = m.cell(0, VersionRole::Canary);
    assert_eq!(
        cell.and_then(|c| c.latest(&crate::domain::signal::standard("error_rate"))),
        None
    );
    assert_eq!(
        cell.and_then(|c| c.latest(&crate::domain::signal::standard("latency_p99"))),
        Some(0.2)
    );
}

#[test]
fn nan_is_no_value() {
    let mut m = HealthMatrix::default();
    m.ingest_poll(
        t(0),
        &[sample(
            "eu",
            VersionRole::Stable,
            crate::domain::signal::standard("latency_p99"),
            f64::NAN,
        )],
    );
    let cell = m.cell(0, VersionRole::Stable);
    assert_eq!(
        cell.and_then(|c| c.latest(&crate::domain::signal::standard("latency_p99"))),
        None
    );
    assert_eq!(
        cell.map(|c| c
            .series(&crate::domain::signal::standard("latency_p99"))
            .values()
            .len()),
        Some(1)
    );
}

#[test]
fn infinity_is_a_value_not_a_gap() {
    let mut m = HealthMatrix::default();
    m.ingest_poll(
        t(0),
        &[sample(
            "eu",
            VersionRole::Canary,
            crate::domain::signal::standard("latency_p99"),
            f64::INFINITY,
        )],
    );
    let latest = m
        .cell(0, VersionRole::Canary)
        .and_then(|c| c.latest(&crate::domain::signal::standard("latency_p99")));
    assert_eq!(latest, Some(f64::INFINITY));
}

#[test]
fn unknown_regions_are_added_in_order_of_appearance() {
    let mut m = HealthMatrix::new(["eu".to_string()]);
    m.ingest_poll(
        t(0),
        &[sample(
            "ap",
            VersionRole::Stable,
            crate::domain::signal::standard("request_rate"),
            5.0,
        )],
    );
    assert_eq!(m.regions(), ["eu", "ap"]);
}

#[test]
fn series_is_capped() {
    let mut s = Series::default();
    for i in 0..(Series::CAPACITY as i64 + 10) {
        s.push(t(i), i as f64);
    }
    assert_eq!(s.values().len(), Series::CAPACITY);
    assert_eq!(s.values().next(), Some(10.0));
}

#[test]
fn freshness_turns_stale_past_the_limit() {
    let limit = Span::seconds(5);
    assert_eq!(Freshness::of(None, t(10), limit), Freshness::Never);
    assert_eq!(
        Freshness::of(Some(t(8)), t(10), limit),
        Freshness::Fresh(Span::seconds(2))
    );
    assert_eq!(
        Freshness::of(Some(t(2)), t(10), limit),
        Freshness::Stale(Span::seconds(8))
    );
}

#[test]
fn formats_use_display_units() {
    assert_eq!(
        crate::domain::signal::standard("error_rate").format(0.0123),
        "1.23%"
    );
    assert_eq!(
        crate::domain::signal::standard("latency_p99").format(0.182),
        "182ms"
    );
    assert_eq!(
        crate::domain::signal::standard("latency_p99").format(1.5),
        "1.50s"
    );
    assert_eq!(
        crate::domain::signal::standard("request_rate").format(1234.4),
        "1234/s"
    );
    assert_eq!(
        crate::domain::signal::standard("request_rate").format(f64::NAN),
        "—"
    );
    assert_eq!(
        crate::domain::signal::standard("latency_p99").format(f64::INFINITY),
        "+∞"
    );
}

#[test]
fn deltas_and_formats_never_read_nan_or_inf() {
    let e = crate::domain::signal::standard("error_rate");
    assert_eq!(e.delta(Some(0.0110), Some(0.0126)), "-0.16pp");
    assert_eq!(e.delta(Some(0.0126), Some(0.0110)), "+0.16pp");
    assert_eq!(e.delta(Some(0.01), Some(0.01000001)), "+0.00pp");
    assert_eq!(
        crate::domain::signal::standard("latency_p99").delta(Some(0.3), Some(0.2)),
        "+50%"
    );
    assert_eq!(
        crate::domain::signal::standard("latency_p99").delta(Some(0.3), Some(0.0)),
        "—"
    );
    let odd = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300];
    for signal in crate::domain::signal::Signals::standard().iter() {
        for a in odd {
            for b in odd.iter().chain(&[0.0, 0.5]) {
                let shown = signal.delta(Some(a), Some(*b)) + &signal.delta(Some(*b), Some(a));
                let lower = shown.to_lowercase();
                assert!(!lower.contains("nan") && !lower.contains("inf"), "{shown}");
            }
            let shown = signal.format(a);
            assert!(
                !shown.to_lowercase().contains("nan") && shown.chars().count() <= 12,
                "{shown}"
            );
        }
    }
    assert_eq!(e.delta(Some(f64::INFINITY), Some(f64::INFINITY)), "—");
    assert_eq!(
        crate::domain::signal::standard("request_rate").format(1e300),
        ">999999k/s"
    );
}

fn sample_on(region: &str, value: f64, basis: Basis) -> Sample {
    Sample {
        basis,
        ..sample(
            region,
            VersionRole::Canary,
            crate::domain::signal::standard("error_rate"),
            value,
        )
    }
}

#[test]
fn each_reason_for_no_number_is_its_own_reading() {
    let mut m = HealthMatrix::default();
    let stale = Basis::Stale { newest: Some(t(0)) };
    m.ingest_poll(
        t(1),
        &[
            sample_on("eu", 0.01, Basis::Current),
            sample_on("us", 0.01, Basis::Partial),
            sample_on("ap", 0.01, stale),
            sample_on("sa", f64::INFINITY, Basis::Current),
            sample_on("me", f64::NAN, Basis::Current),
        ],
    );
    let reading = |r: &str| {
        m.cell_by_name(r, VersionRole::Canary)
            .map(|c| c.reading(&crate::domain::signal::standard("error_rate")))
    };
    assert_eq!(reading("eu"), Some(Reading::Number(0.01)));
    assert_eq!(reading("us"), Some(Reading::Gap(Gap::Partial)));
    assert_eq!(reading("ap"), Some(Reading::Gap(Gap::Stale)));
    assert_eq!(reading("sa"), Some(Reading::Gap(Gap::NotFinite)));
    assert_eq!(reading("me"), Some(Reading::Gap(Gap::NoData)));
    assert!(m.partial());
    // What was shown stays shown; only what may be judged changes.
    let shown = m
        .cell_by_name("us", VersionRole::Canary)
        .and_then(|c| c.latest(&crate::domain::signal::standard("error_rate")));
    assert_eq!(shown, Some(0.01));
}

#[test]
fn stale_data_stays_stale_when_its_series_vanish() {
    let mut m = HealthMatrix::default();
    let stale = Basis::Stale { newest: Some(t(0)) };
    m.ingest_poll(t(1), &[sample_on("eu", 0.01, Basis::Current)]);
    m.ingest_poll(t(2), &[sample_on("eu", 0.01, stale)]);
    // The rate's window has passed: the answer no longer has the cell.
    m.ingest_poll(t(40), &[]);
    let cell = m.cell_by_name("eu", VersionRole::Canary);
    assert_eq!(
        cell.map(|c| c.reading(&crate::domain::signal::standard("error_rate"))),
        Some(Reading::Gap(Gap::Stale))
    );
    assert_eq!(cell.and_then(Cell::gap), Some(Gap::Stale));
    assert_eq!(cell.and_then(Cell::data_at), Some(t(0)));
    m.ingest_poll(t(41), &[sample_on("eu", 0.02, Basis::Current)]);
    let cell = m.cell_by_name("eu", VersionRole::Canary);
    assert_eq!(
        cell.and_then(|c| c.number(&crate::domain::signal::standard("error_rate"))),
        Some(0.02)
    );
    assert_eq!(cell.and_then(Cell::gap), None);
}

#[test]
fn verdicts_order_by_urgency() {
    assert!(Verdict::Breach > Verdict::Stale);
    assert!(Verdict::Stale > Verdict::NoData);
    assert!(Verdict::NoData > Verdict::Warning);
    assert!(Verdict::Warning > Verdict::Healthy);
}
