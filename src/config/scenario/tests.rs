use super::*;
use crate::domain::drill::scenario::{DeployFailure, FaultKind, Start, Versions};

fn demo() -> Vec<String> {
    ["eu-west-1", "us-east-1", "ap-southeast-1", "sa-east-1"]
        .map(String::from)
        .to_vec()
}

const HEAD: &str = "name = \"t\"\ntitle = \"a test\"\nbriefing = \"b\"\n";

fn ok(text: &str) -> Scenario {
    match parse(text, "t.toml", &demo()) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

/// The error for `text`: its line and field, and its message checked to
/// contain `says`.
fn refused(text: &str, says: &str) -> (usize, String) {
    match parse(text, "t.toml", &demo()) {
        Ok(s) => panic!("accepted: {s:?}"),
        Err(e) => {
            assert!(e.problem.contains(says), "{e}");
            assert!(e.to_string().starts_with("t.toml:"), "{e}");
            (e.line, e.field)
        }
    }
}

fn with(inject: &str) -> String {
    format!("{HEAD}[[inject]]\nid = \"a\"\n{inject}\n")
}

#[test]
fn every_field_is_read() {
    let text = format!(
        "{HEAD}fleet = \"plan\"\nseed = 9\npace = \"40s\"\n\
[[inject]]\nid = \"a\"\nat = \"10s\"\nregion = \"eu\"\nversion = \"both\"\nfault = \"error_rate\"\nrate = 0.05\nramp = \"20s\"\nduration = \"2m\"\n\
[[inject]]\nid = \"b\"\nafter = \"a\"\ndelay = \"5s\"\nfault = \"latency\"\nfactor = 2.5\n\
[[inject]]\nid = \"c\"\nat = \"0s\"\nversion = \"stable\"\nfault = \"traffic_drop\"\nshare = 0.4\n\
[[inject]]\nid = \"d\"\nat = \"1m\"\nfault = \"metrics_gap\"\n\
[[inject]]\nid = \"e\"\nat = \"1m\"\nfault = \"deploy_api\"\nstatus = \"timeout\"\n\
[[inject]]\nid = \"f\"\nat = \"1m\"\nregion = \"@later\"\nfault = \"alert\"\nname = \"HighLatency\"\n\
[[expect]]\ninjection = \"a\"\nactions = [\"pause\", \"rollback\"]\nscope = \"injected\"\nwithin = \"2m\"\n\
[[forbid]]\ninjection = \"a\"\naction = \"promote\"\nscope = \"eu\"\nwhy = \"it spreads\"\n\
[[forbid]]\naction = \"rollback\"\nwhy = \"never\"\n\
[[objective]]\ntext = \"stop it\"\ncheck = \"expectations\"\n\
[[objective]]\ntext = \"say it\"\ncheck = \"annotated\"\n\
[comms]\nfirst_update_within = \"10m\"\n"
    );
    let s = ok(&text);
    assert_eq!(
        (s.name.as_str(), s.title.as_str(), s.briefing.as_str()),
        ("t", "a test", "b")
    );
    assert_eq!(s.fleet, FleetChoice::Plan);
    assert_eq!((s.seed, s.pace), (9, Span::seconds(40)));
    let a = &s.injections[0];
    assert_eq!(a.start, Start::At(Span::seconds(10)));
    assert_eq!(a.target.region.as_deref(), Some("eu"));
    assert_eq!(a.target.versions, Versions::Both);
    assert_eq!(
        a.fault,
        FaultKind::ErrorRate {
            rate: 0.05,
            ramp: Span::seconds(20)
        }
    );
    assert_eq!(a.duration, Some(Span::minutes(2)));
    let b = &s.injections[1];
    assert_eq!(
        b.start,
        Start::After {
            injection: "a".to_string(),
            delay: Span::seconds(5)
        }
    );
    assert_eq!(b.target.region, None);
    assert_eq!(b.target.versions, Versions::Canary);
    assert_eq!(
        b.fault,
        FaultKind::Latency {
            factor: 2.5,
            ramp: Span::zero()
        }
    );
    assert_eq!(s.injections[2].fault, FaultKind::TrafficDrop { share: 0.4 });
    assert_eq!(s.injections[2].target.versions, Versions::Stable);
    assert_eq!(s.injections[3].fault, FaultKind::MetricsGap);
    assert_eq!(
        s.injections[4].fault,
        FaultKind::DeployApi(DeployFailure::Timeout)
    );
    assert_eq!(
        s.injections[5].fault,
        FaultKind::Alert {
            name: "HighLatency".to_string()
        }
    );
    assert_eq!(s.injections[5].target.region.as_deref(), Some(LATER));
    assert_eq!(s.expect[0].actions, [Action::Pause, Action::Rollback]);
    assert_eq!(s.expect[0].scope, ScopeRule::Injected);
    assert_eq!(s.expect[0].within, Span::minutes(2));
    assert_eq!(s.forbid[0].scope, ScopeRule::Region("eu".to_string()));
    assert_eq!(s.forbid[0].injection.as_deref(), Some("a"));
    assert_eq!(
        (s.forbid[1].injection.clone(), s.forbid[1].scope.clone()),
        (None, ScopeRule::Any)
    );
    assert_eq!(s.forbid[1].why, "never");
    assert_eq!(s.objectives[0].check, ObjectiveCheck::Expectations);
    assert_eq!(s.objectives[1].check, ObjectiveCheck::Annotated);
    assert_eq!(
        s.comms.map(|c| c.first_update_within),
        Some(Span::minutes(10))
    );
}

#[test]
fn defaults_are_the_demo_fleet_seed_42_and_holds_of_30s() {
    let s = ok(&with("at = \"1s\"\nfault = \"metrics_gap\""));
    assert_eq!(
        (s.fleet, s.seed, s.pace),
        (FleetChoice::Demo, 42, Span::seconds(30))
    );
    assert!(s.expect.is_empty() && s.forbid.is_empty() && s.comms.is_none());
    // 403 and 500 are numbers in the file.
    let s = ok(&with("at = \"1s\"\nfault = \"deploy_api\"\nstatus = 403"));
    assert_eq!(
        s.injections[0].fault,
        FaultKind::DeployApi(DeployFailure::Forbidden)
    );
    let s = ok(&with("at = \"1s\"\nfault = \"deploy_api\"\nstatus = 500"));
    assert_eq!(
        s.injections[0].fault,
        FaultKind::DeployApi(DeployFailure::ServerError)
    );
}

#[test]
fn errors_name_the_line_and_the_field() {
    let cases: &[(String, &str, usize, &str)] = &[
        (
            with("at = \"1s\"\nfault = \"error_rate\"\nrate = 1.5"),
            "not a share",
            8,
            "inject[0].rate",
        ),
        (
            with("at = \"1s\"\nfault = \"traffic_drop\"\nshare = -0.1"),
            "not a share",
            8,
            "inject[0].share",
        ),
        (
            with("at = \"1s\"\nfault = \"latency\"\nfactor = 0.5"),
            "not a slowdown",
            8,
            "inject[0].factor",
        ),
        (
            with("at = \"1s\"\nfault = \"error_rate\""),
            "required",
            4,
            "inject[0].rate",
        ),
        (
            with("at = \"1s\"\nfault = \"bogus\""),
            "not a fault",
            7,
            "inject[0].fault",
        ),
        (
            with("at = \"soon\"\nfault = \"metrics_gap\""),
            "not a duration",
            6,
            "inject[0].at",
        ),
        (
            with("fault = \"metrics_gap\""),
            "say when",
            4,
            "inject[0].at",
        ),
        (
            with("at = \"1s\"\nafter = \"a\"\nfault = \"metrics_gap\""),
            "not both",
            7,
            "inject[0].after",
        ),
        (
            with("at = \"1s\"\ndelay = \"1s\"\nfault = \"metrics_gap\""),
            "goes with",
            7,
            "inject[0].delay",
        ),
        (
            with("at = \"1s\"\nfault = \"metrics_gap\"\nrate = 0.1"),
            "not a parameter",
            8,
            "inject[0].rate",
        ),
        (
            with("at = \"1s\"\nfault = \"deploy_api\"\nstatus = 404"),
            "403, 500",
            8,
            "inject[0].status",
        ),
        (
            with("at = \"1s\"\nfault = \"deploy_api\""),
            "required",
            4,
            "inject[0].status",
        ),
        (
            with("at = \"1s\"\nfault = \"alert\""),
            "required",
            4,
            "inject[0].name",
        ),
        (
            with("at = \"1s\"\nfault = \"metrics_gap\"\nversion = \"beta\""),
            "not a version",
            8,
            "inject[0].version",
        ),
        (
            with("at = \"1s\"\nfault = \"metrics_gap\"\nregion = \"mars-1\""),
            "no region `mars-1`",
            8,
            "inject[0].region",
        ),
        (
            with("at = \"1s\"\nfault = \"metrics_gap\"\nduration = \"0s\""),
            "longer than zero",
            8,
            "inject[0].duration",
        ),
        (
            with("after = \"nobody\"\nfault = \"metrics_gap\""),
            "no injection `nobody`",
            6,
            "inject[0].after",
        ),
        (
            with("after = \"a\"\nfault = \"metrics_gap\""),
            "goes round",
            6,
            "inject[0].after",
        ),
        (
            with("at = \"1s\"\nfault = \"metrics_gap\"\nwhatever = 1"),
            "unknown field",
            8,
            "inject[0].whatever",
        ),
        (
            format!(
                "{HEAD}fleet = \"moon\"\n[[inject]]\nid = \"a\"\nat = \"1s\"\nfault = \"metrics_gap\"\n"
            ),
            "not a fleet",
            4,
            "fleet",
        ),
        (
            format!(
                "{HEAD}seed = -1\n[[inject]]\nid = \"a\"\nat = \"1s\"\nfault = \"metrics_gap\"\n"
            ),
            "zero or more",
            4,
            "seed",
        ),
        (
            format!(
                "{HEAD}pace = \"0s\"\n[[inject]]\nid = \"a\"\nat = \"1s\"\nfault = \"metrics_gap\"\n"
            ),
            "longer than zero",
            4,
            "pace",
        ),
        (HEAD.to_string(), "injects nothing", 1, "inject"),
        (
            "name = \"t\"\ntitle = \"a\\u001b[31m\"\nbriefing = \"b\"\n".to_string(),
            "",
            2,
            "title",
        ),
        (
            "name = \"t\"\nbriefing = \"b\"\n[[inject]]\nid = \"a\"\nat = \"1s\"\nfault = \"metrics_gap\"\n".to_string(),
            "missing field",
            1,
            "title",
        ),
    ];
    for (text, says, line, field) in cases {
        assert_eq!(refused(text, says), (*line, field.to_string()), "{text}");
    }
}

#[test]
fn references_and_cycles_are_refused_with_their_line() {
    let two = |a: &str, b: &str| {
        format!(
            "{HEAD}[[inject]]\nid = \"a\"\n{a}\nfault = \"metrics_gap\"\n[[inject]]\nid = \"b\"\n{b}\nfault = \"metrics_gap\"\n"
        )
    };
    let cycle = two("after = \"b\"", "after = \"a\"");
    assert_eq!(
        refused(&cycle, "goes round: a after b after a"),
        (6, "inject[0].after".to_string())
    );
    let twice = two("at = \"1s\"", "at = \"2s\"").replace("id = \"b\"", "id = \"a\"");
    assert_eq!(
        refused(&twice, "used twice"),
        (9, "inject[1].id".to_string())
    );
    let base = two("at = \"1s\"", "after = \"a\"");
    let expect =
        format!("{base}[[expect]]\ninjection = \"c\"\nactions = [\"pause\"]\nwithin = \"1m\"\n");
    assert_eq!(
        refused(&expect, "no injection `c`"),
        (13, "expect[0].injection".to_string())
    );
    let action =
        format!("{base}[[expect]]\ninjection = \"a\"\nactions = [\"panic\"]\nwithin = \"1m\"\n");
    assert_eq!(
        refused(&action, "not an action"),
        (14, "expect[0].actions".to_string())
    );
    let none = format!("{base}[[expect]]\ninjection = \"a\"\nactions = []\nwithin = \"1m\"\n");
    assert_eq!(
        refused(&none, "at least one"),
        (14, "expect[0].actions".to_string())
    );
    let forbid =
        format!("{base}[[forbid]]\ninjection = \"zz\"\naction = \"promote\"\nwhy = \"x\"\n");
    assert_eq!(
        refused(&forbid, "no injection `zz`"),
        (13, "forbid[0].injection".to_string())
    );
    let scope =
        format!("{base}[[forbid]]\naction = \"promote\"\nscope = \"atlantis\"\nwhy = \"x\"\n");
    assert_eq!(
        refused(&scope, "no region"),
        (14, "forbid[0].scope".to_string())
    );
    let objective = format!("{base}[[objective]]\ntext = \"x\"\ncheck = \"vibes\"\n");
    assert_eq!(
        refused(&objective, "not a check"),
        (14, "objective[0].check".to_string())
    );
    let comms = format!("{base}[comms]\nfirst_update_within = \"later\"\n");
    assert_eq!(
        refused(&comms, "not a duration"),
        (13, "comms.first_update_within".to_string())
    );
}

#[test]
fn regions_are_checked_only_when_the_fleet_is_known() {
    let text = format!(
        "{HEAD}fleet = \"plan\"\n[[inject]]\nid = \"a\"\nat = \"1s\"\nregion = \"mars-1\"\nfault = \"metrics_gap\"\n"
    );
    assert_eq!(
        ok(&text).injections[0].target.region.as_deref(),
        Some("mars-1")
    );
    let text = with("at = \"1s\"\nregion = \"@second-wave\"\nfault = \"metrics_gap\"");
    assert_eq!(ok(&text).injections[0].target.region, None);
}

#[test]
fn every_built_in_scenario_parses_and_teaches_something_of_its_own() {
    let mut kinds = Vec::new();
    for (name, _) in BUILT_IN {
        let s = match built_in(name, &demo()) {
            Some(Ok(s)) => s,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(s.name, *name);
        assert!(!s.title.is_empty() && !s.briefing.is_empty() && !s.objectives.is_empty());
        kinds.push(s);
    }
    assert_eq!(kinds.len(), 6);
    assert!(built_in("nope", &demo()).is_none());
    let by = |n: &str| kinds.iter().find(|s| s.name == n).cloned().unwrap();
    assert!(
        by("dependency-failure")
            .forbid
            .iter()
            .any(|f| f.action == Action::Rollback)
    );
    assert_eq!(
        by("dependency-failure").injections[0].target.versions,
        Versions::Both
    );
    assert!(
        by("metrics-dark")
            .forbid
            .iter()
            .any(|f| f.action == Action::Promote)
    );
    assert_eq!(
        by("metrics-dark").injections[0].fault,
        FaultKind::MetricsGap
    );
    assert!(matches!(
        by("deploy-api-403").injections[0].fault,
        FaultKind::DeployApi(DeployFailure::Forbidden)
    ));
    assert!(
        by("deploy-api-403")
            .objectives
            .iter()
            .any(|o| o.check == ObjectiveCheck::Annotated)
    );
    assert_eq!(
        by("red-herring").injections[0].target.region.as_deref(),
        Some(LATER)
    );
    assert_eq!(
        by("canary-regression").injections[0].start,
        Start::At(Span::seconds(50))
    );
}
