use super::*;
use crate::domain::judgment::Bad;

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn parse(text: &str) -> Result<PlanFile, PlanError> {
    PlanFile::parse(text, Path::new("plan.toml"))
}

/// The simulator example with `from` replaced by `to`, parsed.
fn edited(from: &str, to: &str) -> PlanError {
    let text = example("simulator.toml");
    assert!(text.contains(from), "the example has no `{from}`");
    parse(&text.replacen(from, to, 1))
        .err()
        .unwrap_or_else(|| panic!("`{to}` was accepted"))
}

/// The line of `needle` in the text after the edit.
fn line_of_edit(from: &str, to: &str, needle: &str) -> usize {
    let text = example("simulator.toml").replacen(from, to, 1);
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or(0)
}

#[test]
fn every_example_loads() {
    let sim = parse(&example("simulator.toml")).unwrap();
    assert_eq!(sim.plan.service, "checkout-api");
    assert_eq!(sim.plan.regions.len(), 4);
    assert_eq!(sim.plan.waves.len(), 4);
    assert_eq!(sim.plan.stop_conditions.len(), 3);
    // The standard four and the simulator's users.
    assert_eq!(sim.metrics.queries.len(), 8);
    let tickets = sim.plan.signals.get("support_tickets").unwrap();
    assert_eq!(tickets.per(), crate::domain::signal::Per::Service);
    assert_eq!(tickets.unit().name(), "tickets/h");
    let columns: Vec<&str> = sim
        .plan
        .signals
        .columns()
        .iter()
        .map(|s| s.name())
        .collect();
    assert_eq!(
        columns,
        [
            "request_rate",
            "error_rate",
            "latency_p99",
            "success_rate",
            "checkout_completion"
        ]
    );

    let web = parse(&example("web-service.toml")).unwrap();
    assert_eq!(web.plan.service, "storefront");
    assert_eq!(web.metrics.queries.len(), 8);
    let guarded: Vec<&str> = web
        .plan
        .stop_conditions
        .iter()
        .map(|c| c.signal.name())
        .collect();
    for signal in [
        "checkout_completion",
        "login_success",
        "queue_depth",
        "support_tickets",
    ] {
        assert!(guarded.contains(&signal), "no stop condition on {signal}");
    }
    let checkout = &web.plan.stop_conditions[2];
    assert_eq!(
        checkout.baseline,
        crate::domain::guardrail::Baseline::Stable
    );
    assert!(checkout.region_only, "{checkout:?}");
    assert_eq!(web.plan.waves.waves[0].weight, 1);
    assert_eq!(sim.metrics.endpoint.interval, Duration::from_secs(2));
    assert_eq!(sim.metrics.endpoint.timeout, Duration::from_millis(1500));
    assert_eq!(sim.plan.stale_after, Span::seconds(6));
    assert!(sim.deploy.is_some());
    // No warn given: the warning band collapses onto the breach level.
    assert_eq!(sim.plan.stop_conditions[2].warn, 0.99);

    let k8s = parse(&example("kubernetes.toml")).unwrap();
    assert_eq!(
        k8s.metrics.region_values[0],
        ("eu-central-1".to_string(), "eu-central".to_string())
    );
    assert_eq!(
        k8s.metrics.endpoint.auth,
        Auth::BearerFile("/var/run/secrets/monitoring/token".into())
    );
    assert!(matches!(k8s.deploy, Some(DeploySource::Argo(_))));
    assert_eq!(
        k8s.plan.stop_conditions[2].warn,
        k8s.plan.stop_conditions[2].breach
    );
}

#[test]
fn an_inline_token_is_refused_with_what_to_do() {
    let e = edited(
        "timeout = \"1500ms\"\n",
        "timeout = \"1500ms\"\nauth.bearer_token = \"s3cr3t\"\n",
    );
    assert_eq!(e.field, "sources.metrics.auth.bearer_token");
    assert!(e.problem.contains("bearer_token_file") && e.problem.contains("bearer_token_env"));
    assert!(
        !e.to_string().contains("s3cr3t"),
        "the error must not repeat the token: {e}"
    );
    assert_eq!(
        e.line,
        line_of_edit(
            "timeout = \"1500ms\"\n",
            "timeout = \"1500ms\"\nauth.bearer_token = \"s3cr3t\"\n",
            "s3cr3t"
        )
    );
}

#[test]
fn credentials_in_a_url_are_refused() {
    let e = edited(
        "url = \"http://127.0.0.1:9090\"",
        "url = \"http://admin:hunter2@127.0.0.1:9090\"",
    );
    assert_eq!(e.field, "sources.metrics.url");
    assert!(!e.to_string().contains("hunter2"), "{e}");
}

#[test]
fn a_wave_naming_an_unknown_region_says_which_are_known() {
    let from = "regions = [\"eu-west-1\", \"us-east-1\"]";
    let to = "regions = [\"eu-west-1\", \"us-east1\"]";
    let e = edited(from, to);
    assert_eq!(e.field, "waves[1].regions");
    assert_eq!(e.line, line_of_edit(from, to, "us-east1"));
    assert!(
        e.problem.contains("`us-east1`") && e.problem.contains("us-east-1"),
        "{e}"
    );
}

#[test]
fn weights_must_be_percentages_that_only_grow() {
    let e = edited("weight = 50", "weight = 150");
    assert_eq!(e.field, "waves[2].weight");
    let e = edited("weight = 50", "weight = 20");
    assert!(e.problem.contains("only widen"), "{e}");
}

#[test]
fn durations_are_checked() {
    let e = edited("hold = \"45s\"", "hold = \"45 parsecs\"");
    assert_eq!(e.field, "waves[1].hold");
    assert!(e.problem.contains("\"30s\""), "{e}");
    let e = edited("interval = \"2s\"", "interval = \"0s\"");
    assert_eq!(e.field, "sources.metrics.interval");
}

#[test]
fn stop_conditions_are_checked() {
    let e = edited("signal = \"error_rate\"", "signal = \"errors\"");
    assert_eq!(e.field, "stop_conditions[0].signal");
    assert!(e.problem.contains("error_rate"), "{e}");
    let e = edited("warn = 0.01", "warn = 0.03");
    assert_eq!(e.field, "stop_conditions[0].warn");
    let e = edited("above = 0.02", "above = 0.02\nbelow = 0.5");
    assert!(e.problem.contains("exactly one of above"), "{e}");
    let e = edited("\non_breach = \"alert\"", "\non_breach = \"panic\"");
    assert_eq!(e.field, "stop_conditions[0].on_breach");
    assert!(e.problem.contains("\"rollback\""), "{e}");
    let e = edited(
        "latency_p99 = 'histogram_quantile",
        "# latency_p99 = 'histogram_quantile",
    );
    assert_eq!(e.field, "stop_conditions[1].signal");
    assert!(e.problem.contains("not a signal of this plan"), "{e}");
}

#[test]
fn unknown_and_missing_fields_are_named() {
    let e = edited("hold = \"30s\"", "hold = \"30s\"\nholdd = \"1m\"");
    // Named as the checks name it: which wave, not just "a wave".
    assert_eq!(e.field, "waves[0].holdd");
    assert_eq!(
        e.line,
        line_of_edit("hold = \"30s\"", "hold = \"30s\"\nholdd = \"1m\"", "holdd")
    );
    let e = edited("service = \"checkout-api\"", "");
    assert!(e.to_string().contains("service"), "{e}");
    let e = edited("weight = 5", "weight = \"five\"");
    assert_eq!(e.field, "waves[0].weight");
    assert_eq!(
        e.problem, "expected a whole number, found the text \"five\"",
        "no Rust type names"
    );
    let e = edited("[signals]", "[signals.error]\nquery = 'x'\n[signals]");
    assert!(
        e.field.starts_with("signals.error"),
        "the table is named as written: {e}"
    );
}

#[test]
fn regions_are_checked() {
    let e = edited("name = \"us-east-1\"", "name = \"eu-west-1\"");
    assert_eq!(e.field, "regions[1].name");
    assert!(e.problem.contains("twice"));
}

#[test]
fn versions_must_differ_and_sources_have_known_kinds() {
    let e = edited("canary = \"v2.4.0\"", "canary = \"v2.3.1\"");
    assert_eq!(e.field, "versions.canary");
    let e = edited("kind = \"prometheus\"", "kind = \"graphite\"");
    assert_eq!(e.field, "sources.metrics.kind");
    assert!(e.problem.contains("prometheus"));
    let e = edited(
        "url = \"http://127.0.0.1:9090\"",
        "url = \"127.0.0.1:9090\"",
    );
    assert_eq!(e.field, "sources.metrics.url");
}

#[test]
fn a_missing_file_is_named() {
    let e = PlanFile::load(Path::new("/nonexistent/plan.toml"))
        .err()
        .unwrap();
    assert!(
        e.to_string()
            .starts_with("/nonexistent/plan.toml: (file): cannot read"),
        "{e}"
    );
}

#[test]
fn errors_read_as_file_line_field_problem() {
    let e = edited("weight = 50", "weight = 150");
    let line = line_of_edit("weight = 50", "weight = 150", "weight = 150");
    assert_eq!(
        e.to_string(),
        format!("plan.toml:{line}: waves[2].weight: 150 is not a percentage from 1 to 100")
    );
}

#[test]
fn a_plan_without_stop_conditions_is_refused() {
    let text = example("simulator.toml");
    let cut: String = text
        .split("[[stop_conditions]]")
        .next()
        .unwrap_or_default()
        .to_string()
        + "[[waves]]"
        + text
            .split("[[waves]]")
            .skip(1)
            .collect::<Vec<_>>()
            .join("[[waves]]")
            .as_str();
    let e = parse(&cut).err().unwrap();
    assert_eq!(e.field, "stop_conditions");
}

#[test]
fn durations_are_bounded_and_tokens_need_https() {
    let e = edited("interval = \"2s\"", "interval = \"2h\"");
    assert_eq!(e.field, "sources.metrics.interval");
    let e = edited("hold = \"30s\"", "hold = \"400d\"");
    assert_eq!(e.field, "waves[0].hold");
    let e = edited(
        "url = \"http://127.0.0.1:9090\"\n",
        "url = \"http://prometheus.example.internal:9090\"\nauth.bearer_token_env = \"T\"\n",
    );
    assert_eq!(e.field, "sources.metrics.auth");
    assert!(e.problem.contains("https"));
}

#[test]
fn relative_conditions_and_traffic_floors() {
    let plan = parse(&example("simulator.toml").replacen(
        "signal = \"latency_p99\"\nabove = 0.4\nwarn = 0.32",
        "signal = \"latency_p99\"\nabove = 1.5\nwarn = 1.2\nrelative_to = \"stable\"\nmin_request_rate = 5",
        1,
    ))
    .unwrap();
    let c = &plan.plan.stop_conditions[1];
    assert_eq!(c.baseline, crate::domain::guardrail::Baseline::Stable);
    assert_eq!(c.min_request_rate.as_ref().map(|m| m.1), Some(5.0));
    assert_eq!(
        c.min_request_rate.as_ref().map(|m| m.0.name()),
        Some("request_rate")
    );
    assert_eq!(c.to_string(), "latency p99 > 1.5× stable for 15s at ≥ 5/s");
    let e = edited(
        "signal = \"latency_p99\"\nabove = 0.4",
        "signal = \"latency_p99\"\nabove = 0.4\nrelative_to = \"canary\"",
    );
    assert_eq!(e.field, "stop_conditions[1].relative_to");
    let e = edited(
        "signal = \"latency_p99\"\nabove = 0.4",
        "signal = \"latency_p99\"\nabove = 0.4\nmin_request_rate = -1",
    );
    assert_eq!(e.field, "stop_conditions[1].min_request_rate");
}

#[test]
fn judgment_and_scorecard_are_read() {
    let sim = parse(&example("simulator.toml")).unwrap();
    let j = &sim.plan.judgment;
    assert_eq!(j.thresholds.pass, 75.0);
    assert_eq!(j.window, Span::minutes(2));
    assert_eq!(j.rules.len(), 3);
    assert!(j.rules[0].critical);
    assert_eq!(j.rules[2].bad, Bad::Lower);
    let s = &sim.plan.scorecard;
    assert_eq!(s.approved_by.as_deref(), Some("dana (SRE lead)"));
    assert_eq!(s.rehearsal_within, Span::days(30));
    assert_eq!(s.owner(Item::Communications), Some("pat"));
    // Without the sections: the defaults, for the signals the plan queries.
    let k8s = parse(&example("kubernetes.toml")).unwrap();
    // Metrics every 15s: the default window grows to hold 12 samples.
    assert_eq!(k8s.plan.judgment.rules, JudgmentPlan::default().rules);
    assert_eq!(k8s.plan.judgment.window, Span::minutes(3));
    assert_eq!(
        k8s.plan.scorecard.approved_by.as_deref(),
        Some("SRE review 2026-11-02")
    );
}

#[test]
fn judgment_and_scorecard_errors_name_the_field() {
    let cases = [
        ("pass = 75", "pass = 175", "judgment.pass", "pass = 175"),
        (
            "marginal = 50",
            "marginal = 80",
            "judgment.marginal",
            "marginal = 80",
        ),
        ("alpha = 0.02", "alpha = 0", "judgment.alpha", "alpha = 0"),
        (
            "min_samples = 10",
            "min_samples = 1",
            "judgment.min_samples",
            "min_samples = 1",
        ),
        (
            "window = \"2m\"",
            "window = \"soon\"",
            "judgment.window",
            "window = \"soon\"",
        ),
        (
            "bad = \"higher\"\ntolerance = 0.5",
            "bad = \"up\"\ntolerance = 0.5",
            "judgment.rules[0].bad",
            "bad = \"up\"",
        ),
        (
            "tolerance = 0.5",
            "tolerance = -1.0",
            "judgment.rules[0].tolerance",
            "tolerance = -1.0",
        ),
        (
            "signal = \"error_rate\"\nbad",
            "signal = \"errors\"\nbad",
            "judgment.rules[0].signal",
            "signal = \"errors\"",
        ),
        (
            "rehearsal_within = \"30days\"",
            "rehearsal_within = \"2years\"",
            "scorecard.rehearsal_within",
            "rehearsal_within = \"2years\"",
        ),
        (
            "pilot = \"kim\"",
            "pilots = \"kim\"",
            "scorecard.owners.pilots",
            "pilots = ",
        ),
        (
            "approved_by = \"dana (SRE lead)\"",
            "approved_by = \" \"",
            "scorecard.approved_by",
            "approved_by = \" \"",
        ),
    ];
    for (from, to, field, needle) in cases {
        let e = edited(from, to);
        assert_eq!(e.field, field, "{to}: {e}");
        assert_eq!(e.line, line_of_edit(from, to, needle), "{to}: {e}");
    }
}

#[test]
fn an_automatic_action_may_act_on_the_region_alone() {
    let from = "for = \"15s\"\non_breach = \"alert\"";
    let text = example("simulator.toml");
    assert!(text.contains(from));
    let plan = parse(&text.replacen(
        from,
        "for = \"15s\"\non_breach = \"rollback\"\nact_on = \"region\"",
        1,
    ))
    .unwrap();
    assert!(plan.plan.stop_conditions[0].region_only);
    assert_eq!(plan.plan.stop_conditions[0].on_breach(), "rollback region");
    let e = edited(
        from,
        "for = \"15s\"\non_breach = \"alert\"\nact_on = \"region\"",
    );
    assert_eq!(e.field, "stop_conditions[0].act_on");
    let e = edited(
        from,
        "for = \"15s\"\non_breach = \"pause\"\nact_on = \"cluster\"",
    );
    assert!(e.problem.contains("`cluster` is not a scope"), "{e}");
}

#[test]
fn the_judgment_window_must_fit_the_metrics_interval() {
    // Metrics every 2s in the example: 10s holds 5 samples, 10m needs 300.
    let e = edited("window = \"2m\"", "window = \"10s\"");
    assert_eq!(e.field, "judgment.window");
    assert!(
        e.problem
            .contains("holds 5 samples, fewer than min_samples = 10"),
        "{e}"
    );
    assert!(e.problem.contains("at least 20s"), "{e}");
    let e = edited("window = \"2m\"", "window = \"10m\"");
    assert!(e.problem.contains("120 are kept per signal"), "{e}");
    assert!(e.problem.contains("at most 4m"), "{e}");
}

#[test]
fn a_region_cannot_be_called_all() {
    let e = edited("name = \"eu-west-1\"", "name = \"all\"");
    assert_eq!(e.field, "regions[0].name");
    assert!(e.problem.contains("`all` stands for every region"), "{e}");
}

#[test]
fn freshness_is_asked_of_the_raw_series_unless_the_plan_says_otherwise() {
    let sim = parse(&example("simulator.toml")).unwrap();
    let fresh = &sim.metrics.freshness;
    assert_eq!(fresh.max_age, super::DEFAULT_MAX_SAMPLE_AGE);
    let query = |signal| {
        fresh
            .queries
            .iter()
            .find(|(s, _)| *s == signal)
            .map(|(_, q)| q.as_str())
    };
    let requests = "max by (region, version) (timestamp(http_requests_total))";
    assert_eq!(
        query(crate::domain::signal::standard("request_rate")),
        Some(requests)
    );
    assert_eq!(
        query(crate::domain::signal::standard("error_rate")),
        Some(requests),
        "the denominator"
    );
    assert_eq!(
        query(crate::domain::signal::standard("latency_p99")),
        Some("max by (region, version) (timestamp(http_request_duration_seconds_bucket))")
    );
    let own = example("simulator.toml").replacen(
        "[signals]\n",
        "[signals.freshness]\nmax_age = \"45s\"\nerror_rate = 'max by (region, version) (timestamp(up))'\nlatency_p99 = \"off\"\n\n[signals]\n",
        1,
    );
    let plan = parse(&own).unwrap();
    let fresh = &plan.metrics.freshness;
    assert_eq!(fresh.max_age, std::time::Duration::from_secs(45));
    assert!(
        fresh
            .queries
            .iter()
            .all(|(s, _)| *s != crate::domain::signal::standard("latency_p99"))
    );
    assert!(fresh.queries.contains(&(
        crate::domain::signal::standard("error_rate"),
        "max by (region, version) (timestamp(up))".into()
    )));
    let e = edited(
        "[signals]\n",
        "[signals.freshness]\nmax_age = \"2h\"\n[signals]\n",
    );
    assert_eq!(e.field, "signals.freshness.max_age");
    let e = edited(
        "[signals]\n",
        "[signals.freshness]\nmax_age = 30\n[signals]\n",
    );
    assert_eq!(e.field, "signals.freshness.max_age");
    assert!(e.problem.contains("expected text in quotes"), "{e}");
}

#[test]
fn gates_hold_by_default_and_auto_promote_needs_them_enforced() {
    let text = example("simulator.toml");
    let plan = parse(&text).unwrap().plan;
    assert_eq!(plan.gates, crate::domain::gate::GatePolicy::default());
    assert!(plan.gates.enforce && !plan.gates.auto_promote);
    let with = |gates: &str| parse(&format!("{text}\n[gates]\n{gates}\n"));
    let auto = with("auto_promote = true").unwrap().plan.gates;
    assert!(auto.enforce && auto.auto_promote);
    let advisory = with("enforce = false").unwrap().plan.gates;
    assert!(!advisory.enforce);
    let e = with("enforce = false\nauto_promote = true").unwrap_err();
    assert_eq!(e.field, "gates.auto_promote");
    assert_eq!(e.line, text.lines().count() + 4, "{e}");
    let e = with("hold = true").unwrap_err();
    assert!(e.to_string().contains("hold"), "{e}");
}
