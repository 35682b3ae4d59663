use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::*;
use crate::app::state::InFlight;
use crate::app::state::{AppState, MAX_TYPED, NoticeLevel, Overlay, PendingAction, RunMode};
use crate::domain::Span;
use crate::domain::action::ActionOutcome;
use crate::domain::rollout::check_action;
use crate::domain::rollout::{Phase, RegionRollout, RolloutStatus};
use crate::domain::scorecard::{Item, Status};
use crate::domain::timeline::EventKind;
use crate::runtime::demo::{epoch, state_at};
use crate::sim::FleetSpec;
use crate::sim::adapter::source_infos;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn ctrl_c() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL))
}

/// A source's poll, as the loop would deliver it.
fn polled(
    source: usize,
    at: crate::domain::Timestamp,
    result: Result<Report, crate::domain::source::SourceError>,
) -> Msg {
    Msg::Source {
        source: crate::domain::source::SourceId(source),
        polled: crate::domain::source::Polled {
            at,
            took: std::time::Duration::ZERO,
            result,
            notes: vec![],
        },
    }
}

fn status(phase: Phase, wave: usize) -> RolloutStatus {
    RolloutStatus {
        phase,
        wave,
        held: Span::seconds(3),
        message: None,
        // The demo's regions; only the first takes canary traffic.
        regions: ["eu-west-1", "us-east-1", "ap-southeast-1", "sa-east-1"]
            .iter()
            .enumerate()
            .map(|(i, r)| RegionRollout::following(*r, if i == 0 { 5 } else { 0 }))
            .collect(),
        observed_at: epoch(),
    }
}

fn state() -> AppState {
    let plan = FleetSpec::demo(1).plan;
    let themes = vec![
        "dark".to_string(),
        "light".to_string(),
        "high-contrast".to_string(),
    ];
    // Go, with one item amber: promote asks for no override.
    let seat = crate::app::state::Seat {
        remembered: crate::runtime::session::demo_scorecard(epoch()),
        ..crate::app::state::Seat::new("alice", themes)
    };
    AppState::new(plan, RunMode::Demo, source_infos(), seat, epoch())
}

fn with_rollout(phase: Phase, wave: usize) -> AppState {
    let mut s = state();
    update(
        &mut s,
        polled(0, epoch(), Ok(Report::Rollout(status(phase, wave)))),
    );
    // The metrics answer too, healthy long enough for the canary to be
    // judged: the verdict is GO and promote needs no override.
    healthy_polls(&mut s);
    s
}

/// Healthy samples of eu-west-1's stable and canary, scaled by `wobble`:
/// the standard four and the demo's users.
fn healthy_samples(wobble: f64) -> Vec<crate::domain::health::Sample> {
    use crate::domain::health::{Sample, VersionRole};
    let demo = FleetSpec::demo(1).plan.signals;
    let users = [("login_success", 0.975), ("checkout_completion", 0.73)]
        .map(|(name, value)| (demo.get(name).cloned().unwrap(), value));
    let mut samples = Vec::new();
    for version in [VersionRole::Stable, VersionRole::Canary] {
        for (signal, value) in [
            (crate::domain::signal::standard("request_rate"), 100.0),
            (crate::domain::signal::standard("error_rate"), 0.003),
            (crate::domain::signal::standard("latency_p99"), 0.2),
            (crate::domain::signal::standard("success_rate"), 0.995),
        ]
        .into_iter()
        .chain(users.clone())
        {
            samples.push(Sample {
                region: "eu-west-1".into(),
                version,
                signal,
                value: value * wobble,
                basis: Default::default(),
            });
        }
    }
    samples
}

/// A judgment window of healthy polls in eu-west-1, ending at the epoch.
fn healthy_polls(s: &mut AppState) {
    for i in 0..12 {
        let wobble = if i % 2 == 0 { 1.0 } else { 1.02 };
        let at = epoch() - Span::seconds(11 - i);
        update(
            s,
            polled(1, at, Ok(Report::Metrics(healthy_samples(wobble)))),
        );
    }
}

fn executed(effects: &[Effect]) -> Vec<Action> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Execute(r) => Some(r.action),
            _ => None,
        })
        .collect()
}

fn notice(s: &AppState) -> String {
    s.notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default()
}

#[test]
fn pause_is_two_keystrokes() {
    let mut s = with_rollout(Phase::Progressing, 1);
    assert!(update(&mut s, ch('p')).is_empty());
    assert!(matches!(&s.overlay, Overlay::Confirm(p) if p.action == Action::Pause));
    let effects = update(&mut s, ch('p'));
    assert_eq!(executed(&effects), [Action::Pause]);
    assert_eq!(s.overlay, Overlay::None);
    assert_eq!(s.in_flight.first().map(|f| f.action), Some(Action::Pause));
    let request = effects.iter().find_map(|e| match e {
        Effect::Execute(r) => Some(r.clone()),
        _ => None,
    });
    assert_eq!(request.as_ref().map(|r| r.operator.as_str()), Some("alice"));
    assert_eq!(
        request.as_ref().map(|r| r.service.as_str()),
        Some("checkout-api")
    );
    let attempt = s
        .timeline
        .newest_first()
        .next()
        .map(|e| e.text.clone())
        .unwrap_or_default();
    assert!(attempt.contains("alice asked to pause"), "{attempt}");
}

#[test]
fn pause_confirms_with_y_and_enter_too() {
    for confirm in [ch('y'), key(KeyCode::Enter)] {
        let mut s = with_rollout(Phase::Progressing, 0);
        update(&mut s, ch('p'));
        assert_eq!(executed(&update(&mut s, confirm)), [Action::Pause]);
    }
}

#[test]
fn p_when_paused_offers_resume_which_only_y_confirms() {
    let mut s = with_rollout(Phase::Paused, 1);
    update(&mut s, ch('p'));
    assert!(matches!(&s.overlay, Overlay::Confirm(p) if p.action == Action::Resume));
    assert!(
        executed(&update(&mut s, ch('p'))).is_empty(),
        "p p must not resume"
    );
    assert!(executed(&update(&mut s, key(KeyCode::Enter))).is_empty());
    assert_eq!(executed(&update(&mut s, ch('y'))), [Action::Resume]);
}

#[test]
fn pause_while_paused_is_refused_at_confirmation() {
    // The modal opened while progressing; the rollout paused meanwhile.
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('p'));
    update(
        &mut s,
        polled(0, epoch(), Ok(Report::Rollout(status(Phase::Paused, 1)))),
    );
    assert!(executed(&update(&mut s, ch('p'))).is_empty());
    assert!(notice(&s).contains("already paused"), "{}", notice(&s));
    assert!(s.in_flight.is_empty());
}

#[test]
fn promote_at_the_last_wave_asks_to_complete() {
    let mut s = with_rollout(Phase::Progressing, 3);
    assert!(update(&mut s, ch('P')).is_empty());
    assert!(matches!(&s.overlay, Overlay::Confirm(p) if p.action == Action::Promote));
}

#[test]
fn promote_needs_y_or_enter() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('P'));
    assert!(
        executed(&update(&mut s, ch('P'))).is_empty(),
        "P again must not confirm"
    );
    assert!(matches!(&s.overlay, Overlay::Confirm(p) if p.action == Action::Promote));
    assert_eq!(
        executed(&update(&mut s, key(KeyCode::Enter))),
        [Action::Promote]
    );
}

#[test]
fn rollback_takes_only_an_explicit_y() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('r'));
    for not_y in [
        key(KeyCode::Enter),
        ch('r'),
        ch('p'),
        ch('Y'),
        key(KeyCode::Char(' ')),
    ] {
        assert!(executed(&update(&mut s, not_y)).is_empty());
        assert!(matches!(&s.overlay, Overlay::Confirm(p) if p.action == Action::Rollback));
    }
    assert_eq!(executed(&update(&mut s, ch('y'))), [Action::Rollback]);
}

#[test]
fn esc_n_and_q_cancel_a_confirmation_without_quitting() {
    for cancel in [key(KeyCode::Esc), ch('n'), ch('q')] {
        let mut s = with_rollout(Phase::Progressing, 1);
        update(&mut s, ch('r'));
        let effects = update(&mut s, cancel);
        assert!(effects.is_empty(), "{effects:?}");
        assert_eq!(s.overlay, Overlay::None);
        assert!(notice(&s).contains("cancelled"));
    }
}

#[test]
fn actions_are_refused_while_one_is_in_flight() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('p'));
    update(&mut s, ch('p'));
    for k in ['p', 'P', 'r'] {
        assert!(update(&mut s, ch(k)).is_empty());
        assert_eq!(
            s.overlay,
            Overlay::None,
            "key {k} opened a modal while in flight"
        );
        assert!(notice(&s).contains("still in flight"), "{}", notice(&s));
    }
}

#[test]
fn the_outcome_clears_the_flight_and_lands_on_the_timeline() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('p'));
    update(&mut s, ch('p'));
    let id = s.in_flight.first().map(|f| f.id).unwrap_or_default();
    update(
        &mut s,
        Msg::ActionDone {
            id: id + 100,
            action: Action::Pause,
            at: epoch(),
            outcome: ActionOutcome::Done("late".into()),
        },
    );
    assert!(
        !s.in_flight.is_empty(),
        "another action's outcome must not clear this one"
    );
    update(
        &mut s,
        Msg::ActionDone {
            id,
            action: Action::Pause,
            at: epoch(),
            outcome: ActionOutcome::Failed("refused by the target: 409".into()),
        },
    );
    assert!(s.in_flight.is_empty());
    assert_eq!(s.notice.as_ref().map(|n| n.level), Some(NoticeLevel::Error));
    let last = s
        .timeline
        .newest_first()
        .next()
        .map(|e| e.text.clone())
        .unwrap_or_default();
    assert!(
        last.contains("pause failed: refused by the target: 409"),
        "{last}"
    );
}

#[test]
fn read_only_refuses_every_action_key() {
    let mut s = with_rollout(Phase::Progressing, 1);
    s.read_only = true;
    for k in ['p', 'P', 'r'] {
        assert!(update(&mut s, ch(k)).is_empty());
        assert_eq!(s.overlay, Overlay::None);
        assert!(notice(&s).contains("read-only"));
    }
}

#[test]
fn nothing_is_sent_before_the_deployment_source_reports() {
    let mut s = state();
    update(&mut s, ch('r'));
    assert_eq!(s.overlay, Overlay::None);
    assert!(notice(&s).contains("no state from the deployment source"));
}

#[test]
fn a_finished_rollout_takes_no_action_but_the_ones_that_undo_it() {
    for phase in [Phase::RolledBack, Phase::Complete, Phase::Aborted] {
        let mut s = with_rollout(phase, 2);
        for k in ['p', 'P', 'r', 'R'] {
            // A completed release may be rolled back; an aborted one retried.
            let allowed = matches!((phase, k), (Phase::Complete, 'r') | (Phase::Aborted, 'R'));
            update(&mut s, ch(k));
            if allowed {
                assert!(matches!(s.overlay, Overlay::Confirm(_)), "{phase:?} {k}");
                update(&mut s, key(KeyCode::Esc));
                continue;
            }
            assert_eq!(s.overlay, Overlay::None, "{phase:?} {k}");
            let expected = if k == 'R' {
                "not aborted"
            } else {
                phase.label()
            };
            assert!(
                notice(&s).contains(expected),
                "{phase:?} {k}: {}",
                notice(&s)
            );
        }
    }
}

#[test]
fn retry_takes_a_typed_y() {
    let mut s = with_rollout(Phase::Aborted, 1);
    update(&mut s, ch('R'));
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    assert_eq!(executed(&update(&mut s, ch('y'))), [Action::Retry]);
}

#[test]
fn help_opens_and_closes() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('?'));
    assert_eq!(s.overlay, Overlay::Help);
    update(&mut s, ch('p'));
    assert_eq!(s.overlay, Overlay::Help, "keys behind the help do nothing");
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.overlay, Overlay::None);
    update(&mut s, ch('?'));
    update(&mut s, ch('?'));
    assert_eq!(s.overlay, Overlay::None);
    update(&mut s, ch('?'));
    assert_eq!(update(&mut s, ch('q')), [Effect::Quit]);
}

#[test]
fn t_cycles_themes_and_wraps() {
    let mut s = state();
    let seen: Vec<usize> = (0..4)
        .map(|_| {
            update(&mut s, ch('t'));
            s.theme
        })
        .collect();
    assert_eq!(seen, [1, 2, 0, 1]);
    assert!(notice(&s).contains("light"));
}

#[test]
fn selection_moves_within_the_regions() {
    let mut s = state();
    let n = s.health.regions().len();
    update(&mut s, key(KeyCode::Up));
    assert_eq!(s.selected, 0);
    for _ in 0..n + 3 {
        update(&mut s, ch('j'));
    }
    assert_eq!(s.selected, n - 1);
    update(&mut s, ch('k'));
    assert_eq!(s.selected, n - 2);
    update(&mut s, ch('g'));
    assert_eq!(s.selected, 0);
    update(&mut s, ch('G'));
    assert_eq!(s.selected, n - 1);
}

#[test]
fn q_and_ctrl_c_quit_from_the_dashboard_and_signals_too() {
    let mut s = state();
    assert_eq!(update(&mut s, ch('q')), [Effect::Quit]);
    assert_eq!(update(&mut s, ctrl_c()), [Effect::Quit]);
    assert_eq!(update(&mut s, Msg::Terminate("SIGTERM")), [Effect::Quit]);
}

#[test]
fn key_releases_are_ignored() {
    let mut s = with_rollout(Phase::Progressing, 1);
    let mut release = KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    update(&mut s, Msg::Key(release));
    assert_eq!(s.overlay, Overlay::None);
}

/// Every key in every mode: Ctrl-C always quits, an action only ever leaves
/// through a confirmation with its own confirm key, and nothing panics.
#[test]
fn every_key_in_every_mode() {
    let keys: Vec<Msg> = "pPrytq?njkgGx "
        .chars()
        .map(ch)
        .chain(
            [
                KeyCode::Enter,
                KeyCode::Esc,
                KeyCode::Up,
                KeyCode::Down,
                KeyCode::Home,
                KeyCode::End,
                KeyCode::Tab,
                KeyCode::F(1),
            ]
            .map(key),
        )
        .collect();
    let overlays = [
        None,
        Some(Overlay::Help),
        Some(Overlay::Confirm(PendingAction {
            action: Action::Pause,
            scope: ActionScope::Rollout,
        })),
        Some(Overlay::Confirm(PendingAction {
            action: Action::Promote,
            scope: ActionScope::Rollout,
        })),
        Some(Overlay::Confirm(PendingAction {
            action: Action::Rollback,
            scope: ActionScope::Rollout,
        })),
    ];
    for read_only in [false, true] {
        for overlay in &overlays {
            for k in &keys {
                let mut s = with_rollout(Phase::Progressing, 1);
                s.read_only = read_only;
                if let Some(o) = overlay {
                    s.overlay = o.clone();
                }
                let mut quit = s.clone();
                assert_eq!(update(&mut quit, ctrl_c()), [Effect::Quit]);
                let effects = update(&mut s, k.clone());
                let sent = executed(&effects);
                match (overlay, k) {
                    (Some(Overlay::Confirm(p)), Msg::Key(KeyEvent { code, .. }))
                        if !sent.is_empty() =>
                    {
                        assert_eq!(sent, [p.action]);
                        assert!(
                            crate::app::keymap::confirm_keys(p.action).contains(code),
                            "{code:?} confirmed {:?}",
                            p.action
                        );
                    }
                    _ => assert!(sent.is_empty(), "{overlay:?} {k:?} sent {sent:?}"),
                }
            }
        }
    }
}

#[test]
fn a_failing_source_is_noted_once_and_its_recovery_too() {
    let mut s = state();
    let fail = |s: &mut AppState| {
        update(
            s,
            polled(
                1,
                epoch(),
                Err(crate::domain::source::SourceError(
                    "connection refused".into(),
                )),
            ),
        )
    };
    fail(&mut s);
    fail(&mut s);
    assert_eq!(s.sources[1].failures, 2);
    assert_eq!(s.sources[1].error.as_deref(), Some("connection refused"));
    assert_eq!(s.timeline.len(), 1);
    update(&mut s, polled(1, epoch(), Ok(Report::Metrics(vec![]))));
    assert_eq!(s.sources[1].error, None);
    assert_eq!(s.timeline.len(), 2);
    let last = s
        .timeline
        .newest_first()
        .next()
        .map(|e| e.text.clone())
        .unwrap_or_default();
    assert!(last.contains("answering again"));
}

#[test]
fn metrics_go_stale_when_polls_stop() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, polled(1, epoch(), Ok(Report::Metrics(vec![]))));
    update(&mut s, Msg::Tick(epoch() + Span::seconds(2)));
    assert!(!s.metrics_stale());
    update(&mut s, Msg::Tick(epoch() + Span::seconds(30)));
    assert!(s.metrics_stale());
    let (freshest, stalest) = s.data_ages();
    assert_eq!(freshest, Some(Span::seconds(30)));
    assert_eq!(stalest, Some(Some(Span::seconds(30))));
}

#[test]
fn notices_expire() {
    let mut s = state();
    update(&mut s, ch('t'));
    assert!(s.notice.is_some());
    update(
        &mut s,
        Msg::Tick(epoch() + Notice::lifetime() + Span::seconds(1)),
    );
    assert!(s.notice.is_none());
}

#[test]
fn wave_and_phase_changes_reach_the_timeline() {
    let mut s = with_rollout(Phase::Progressing, 0);
    for (phase, wave) in [
        (Phase::Progressing, 1),
        (Phase::Paused, 1),
        (Phase::RolledBack, 1),
    ] {
        update(
            &mut s,
            polled(0, epoch(), Ok(Report::Rollout(status(phase, wave)))),
        );
    }
    let texts: Vec<String> = s.timeline.newest_first().map(|e| e.text.clone()).collect();
    assert_eq!(
        texts,
        [
            "rollout ROLLED BACK",
            "rollout PAUSED",
            "wave 2/4 early: 25% in eu-west-1, us-east-1",
            "wave 1/4 canary: 5% in eu-west-1",
        ]
    );
}

#[test]
fn a_rollback_done_from_the_keys_counts_as_a_failed_deployment() {
    let mut replay = crate::runtime::demo::Replay::new(FleetSpec::demo(42), vec!["dark".into()]);
    replay.run_to(40);
    let failed = |s: &AppState| match &s.dora {
        crate::app::state::Dora::Ready { summary, .. } => summary.failed_deployments,
        _ => usize::MAX,
    };
    let before = failed(&replay.state);
    replay.act(Action::Rollback);
    assert_eq!(failed(&replay.state), before + 1);
    // A refused rollback (already rolled back) changes nothing.
    replay.act(Action::Rollback);
    assert_eq!(failed(&replay.state), before + 1);
}

#[test]
fn sources_read_as_waiting_ok_slow_and_failing() {
    use crate::app::state::SourceCondition;
    let mut s = state();
    let poll = |s: &mut AppState, at: i64, took_ms: u64, ok: bool| {
        update(
            s,
            Msg::Source {
                source: crate::domain::source::SourceId(1),
                polled: crate::domain::source::Polled {
                    at: epoch() + Span::seconds(at),
                    took: std::time::Duration::from_millis(took_ms),
                    result: if ok {
                        Ok(Report::Metrics(vec![]))
                    } else {
                        Err(crate::domain::source::SourceError("timed out".into()))
                    },
                    notes: vec![],
                },
            },
        )
    };
    assert_eq!(s.sources[1].condition(epoch()), SourceCondition::Waiting);
    poll(&mut s, 0, 10, true);
    assert!(matches!(
        s.sources[1].condition(epoch()),
        SourceCondition::Ok { .. }
    ));
    // The simulator's timeout is 1 s: a poll taking 600 ms is slow.
    poll(&mut s, 1, 600, true);
    assert!(matches!(
        s.sources[1].condition(epoch() + Span::seconds(1)),
        SourceCondition::Slow { .. }
    ));
    // No answer for long past the interval: slow, even though the last poll was quick.
    poll(&mut s, 2, 10, true);
    assert!(matches!(
        s.sources[1].condition(epoch() + Span::seconds(10)),
        SourceCondition::Slow { .. }
    ));
    poll(&mut s, 11, 1000, false);
    let failing = s.sources[1].condition(epoch() + Span::seconds(12));
    assert_eq!(
        failing,
        SourceCondition::Failing {
            error: "timed out".into(),
            failures: 1,
            since_ok: Some(Span::seconds(10)),
        }
    );
}

/// A state whose error-rate condition pauses the rollout at once on breach.
fn auto_pausing(phase: Phase) -> AppState {
    let mut s = with_rollout(phase, 0);
    let mut conditions = s.plan.stop_conditions.clone();
    conditions[0].consequence = crate::domain::guardrail::Consequence::Pause;
    conditions[0].hold = Span::zero();
    s.guardrails = crate::domain::guardrail::Guardrails::new(conditions);
    s
}

fn breaching_poll(s: &mut AppState) -> Vec<Effect> {
    let sample = |signal, value| crate::domain::health::Sample {
        region: "eu-west-1".into(),
        version: crate::domain::health::VersionRole::Canary,
        signal,
        value,
        basis: Default::default(),
    };
    update(
        s,
        polled(
            1,
            epoch(),
            Ok(Report::Metrics(vec![
                sample(crate::domain::signal::standard("error_rate"), 0.2),
                sample(crate::domain::signal::standard("latency_p99"), 0.1),
                sample(crate::domain::signal::standard("success_rate"), 0.79),
            ])),
        ),
    )
}

#[test]
fn a_breach_the_plan_says_pauses_on_goes_through_the_action_path() {
    let mut s = auto_pausing(Phase::Progressing);
    let effects = breaching_poll(&mut s);
    let request = effects.iter().find_map(|e| match e {
        Effect::Execute(r) => Some(r.clone()),
        _ => None,
    });
    let request = request.unwrap_or_else(|| panic!("no automatic pause: {effects:?}"));
    assert_eq!(request.action, Action::Pause);
    assert_eq!(request.operator, "warroom");
    assert!(
        request
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("stop condition breached: error rate"))
    );
    assert_eq!(s.in_flight.first().map(|f| f.action), Some(Action::Pause));
    assert!(notice(&s).contains("automatic pause"));
    let attempt = s
        .timeline
        .newest_first()
        .any(|e| e.text.starts_with("warroom asked to pause"));
    assert!(attempt);
}

#[test]
fn automatic_actions_hold_back_when_they_must() {
    // Read-only: never.
    let mut s = auto_pausing(Phase::Progressing);
    s.read_only = true;
    assert!(executed(&breaching_poll(&mut s)).is_empty());
    assert!(
        s.timeline
            .newest_first()
            .any(|e| e.text.contains("held back (read-only"))
    );
    // Already paused: nothing to do.
    let mut s = auto_pausing(Phase::Paused);
    assert!(executed(&breaching_poll(&mut s)).is_empty());
    // Another action in flight: one at a time.
    let mut s = auto_pausing(Phase::Progressing);
    update(&mut s, ch('r'));
    update(&mut s, ch('y'));
    assert!(executed(&breaching_poll(&mut s)).is_empty());
    assert!(s.timeline.newest_first().any(|e| {
        e.text
            .contains("roll back (all regions) is still in flight")
    }));
}

/// A rollout at wave 1 over the demo's regions, some of them paused or
/// rolled back on their own.
fn with_regions(own: &[(&str, Phase)]) -> AppState {
    let mut s = state();
    let mut status = status(Phase::Progressing, 1);
    status.regions = s
        .plan
        .regions
        .iter()
        .map(|r| RegionRollout {
            phase: own.iter().find(|(name, _)| name == r).map(|(_, p)| *p),
            ..RegionRollout::following(r.clone(), 25)
        })
        .collect();
    update(&mut s, polled(0, epoch(), Ok(Report::Rollout(status))));
    s
}

fn requests(effects: &[Effect]) -> Vec<(Action, ActionScope)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Execute(r) => Some((r.action, r.scope.clone())),
            _ => None,
        })
        .collect()
}

fn pending(s: &AppState) -> Option<PendingAction> {
    match &s.overlay {
        Overlay::Confirm(p) => Some(p.clone()),
        _ => None,
    }
}

#[test]
fn tab_narrows_a_confirmation_to_the_selected_region_and_back() {
    let mut s = with_regions(&[]);
    update(&mut s, ch('j'));
    let second = s.plan.regions[1].clone();
    update(&mut s, ch('p'));
    assert_eq!(pending(&s).map(|p| p.scope), Some(ActionScope::Rollout));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(
        pending(&s).map(|p| p.scope),
        Some(ActionScope::Region(second.clone()))
    );
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(pending(&s).map(|p| p.scope), Some(ActionScope::Rollout));
    update(&mut s, key(KeyCode::Tab));
    let effects = update(&mut s, ch('p'));
    assert_eq!(
        requests(&effects),
        [(Action::Pause, ActionScope::Region(second.clone()))]
    );
    let attempt = s
        .timeline
        .newest_first()
        .next()
        .map(|e| e.text.clone())
        .unwrap_or_default();
    assert!(attempt.contains(&format!("pause ({second})")), "{attempt}");
}

#[test]
fn a_region_paused_on_its_own_is_resumed_through_tab() {
    let first = state().plan.regions[0].clone();
    let mut s = with_regions(&[(&first, Phase::Paused)]);
    // The rollout itself is progressing: p offers to pause all of it.
    update(&mut s, ch('p'));
    assert_eq!(pending(&s).map(|p| p.action), Some(Action::Pause));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(
        pending(&s),
        Some(PendingAction {
            action: Action::Resume,
            scope: ActionScope::Region(first.clone())
        })
    );
    // Resume takes a typed y only.
    assert!(update(&mut s, ch('p')).is_empty());
    assert_eq!(
        requests(&update(&mut s, ch('y'))),
        [(Action::Resume, ActionScope::Region(first))]
    );
}

#[test]
fn tab_refuses_a_region_the_action_means_nothing_for() {
    let first = state().plan.regions[0].clone();
    let mut s = with_regions(&[(&first, Phase::RolledBack)]);
    update(&mut s, ch('r'));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(pending(&s).map(|p| p.scope), Some(ActionScope::Rollout));
    assert!(notice(&s).contains("ROLLED BACK"), "{}", notice(&s));
}

#[test]
fn one_action_in_flight_per_target() {
    let mut s = with_regions(&[]);
    let (first, second) = (s.plan.regions[0].clone(), s.plan.regions[1].clone());
    update(&mut s, ch('r'));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(
        requests(&update(&mut s, ch('y'))),
        [(Action::Rollback, ActionScope::Region(first.clone()))]
    );
    // The same region is busy: nothing opens.
    update(&mut s, ch('p'));
    assert_eq!(pending(&s), None);
    assert!(notice(&s).contains("still in flight"), "{}", notice(&s));
    // Another region is free; the whole rollout is not. The confirmation
    // opens for all regions and says so: `p p` pauses nothing behind the
    // operator's back.
    update(&mut s, ch('j'));
    update(&mut s, ch('p'));
    assert_eq!(pending(&s).map(|p| p.scope), Some(ActionScope::Rollout));
    assert!(
        notice(&s).contains("all regions are busy"),
        "{}",
        notice(&s)
    );
    assert!(update(&mut s, ch('p')).is_empty());
    assert!(notice(&s).contains("still in flight"), "{}", notice(&s));
    update(&mut s, ch('p'));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(
        pending(&s).map(|p| p.scope),
        Some(ActionScope::Region(second.clone()))
    );
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(
        pending(&s).map(|p| p.scope),
        Some(ActionScope::Region(second.clone())),
        "the whole rollout must stay out of reach while a region's action flies"
    );
    assert_eq!(
        requests(&update(&mut s, ch('p'))),
        [(Action::Pause, ActionScope::Region(second))]
    );
    assert_eq!(s.in_flight.len(), 2);
}

#[test]
fn the_override_refuses_while_an_action_flies_and_no_go_catches_a_confirmation() {
    // NO-GO arrives while a promote confirmation is open: a reason is asked for.
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('P'));
    assert!(matches!(s.overlay, Overlay::Confirm(_)));
    for (item, note) in [(Item::Support, "gap"), (Item::Pilot, "regressed")] {
        let setting = crate::domain::scorecard::Setting {
            item,
            status: Status::Red,
            note: note.into(),
            operator: "pat".into(),
            at: epoch(),
        };
        update(
            &mut s,
            Msg::ScorecardRecorded {
                setting,
                result: Ok(()),
            },
        );
    }
    assert!(update(&mut s, ch('y')).is_empty());
    assert!(
        matches!(s.overlay, Overlay::Override { .. }),
        "{:?}",
        s.overlay
    );
    // A pause goes out while the reason is typed: Enter then sends nothing.
    typed(&mut s, "because");
    s.in_flight.push(InFlight {
        id: 99,
        action: Action::Pause,
        scope: ActionScope::Rollout,
        since: epoch(),
        automatic: false,
    });
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    assert!(notice(&s).contains("still in flight"), "{}", notice(&s));
}

#[test]
fn a_region_paused_with_the_rollout_is_resumed_with_it() {
    let mut s = with_regions(&[]);
    if let Some(r) = s.rollout.as_mut() {
        r.phase = Phase::Paused;
    }
    let first = s.plan.regions[0].clone();
    let status = s.rollout.clone().unwrap();
    assert_eq!(
        check_action(Action::Resume, &ActionScope::Region(first.clone()), &status),
        Err(crate::domain::rollout::Refusal::PausedWithTheRollout(first))
    );
}

#[test]
fn settings_read_back_from_the_audit_log_are_taken_once() {
    let mut s = with_rollout(Phase::Progressing, 1);
    let before = s.scorecard_settings.len();
    let setting = crate::domain::scorecard::Setting {
        item: Item::Communications,
        status: Status::Red,
        note: "from another terminal".into(),
        operator: "sam".into(),
        at: epoch(),
    };
    let recalled = || crate::domain::scorecard::Recalled {
        settings: vec![setting.clone()],
        last_rollback: Some(epoch()),
        annotations: Vec::new(),
    };
    update(&mut s, Msg::Recalled(recalled()));
    update(&mut s, Msg::Recalled(recalled()));
    assert_eq!(s.scorecard_settings.len(), before + 1);
    assert_eq!(
        s.scorecard().line(Item::Communications).map(|l| l.status),
        Some(Status::Red)
    );
    assert_eq!(s.last_rollback, Some(epoch()));
}

#[test]
fn stale_metrics_are_not_validated_dashboards() {
    let mut s = with_rollout(Phase::Progressing, 1);
    assert_eq!(
        s.scorecard().line(Item::Dashboards).map(|l| l.status),
        Some(Status::Green)
    );
    // The metrics source's last answer is older than the plan allows.
    s.now = epoch() + s.plan.stale_after + Span::seconds(1);
    assert!(s.metrics_stale());
    assert_eq!(
        s.scorecard().line(Item::Dashboards).map(|l| l.status),
        Some(Status::Red)
    );
}

fn typed(s: &mut AppState, text: &str) {
    for c in text.chars() {
        update(s, ch(c));
    }
}

fn recorded(effects: &[Effect]) -> Vec<crate::domain::scorecard::Setting> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::RecordScorecard(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// Open the scorecard, go to `item`, set `status` with `note` and let the
/// audit log take it.
fn set_item(s: &mut AppState, item: Item, status: char, note: &str) {
    update(s, ch('s'));
    update(s, key(KeyCode::Home));
    let index = Item::ALL.iter().position(|i| *i == item).unwrap_or(0);
    for _ in 0..Item::ALL.len() {
        update(s, ch('k'));
    }
    for _ in 0..index {
        update(s, ch('j'));
    }
    update(s, ch(status));
    typed(s, note);
    let effects = update(s, key(KeyCode::Enter));
    for setting in recorded(&effects) {
        update(
            s,
            Msg::ScorecardRecorded {
                setting,
                result: Ok(()),
            },
        );
    }
    update(s, key(KeyCode::Esc));
}

#[test]
fn an_item_is_set_with_a_note_through_the_audit_log() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('s'));
    assert!(matches!(s.overlay, Overlay::Scorecard(_)));
    // Down to "pilot", the third item.
    update(&mut s, ch('j'));
    update(&mut s, ch('j'));
    update(&mut s, ch('r'));
    // An empty note is not enough.
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    assert!(notice(&s).contains("a note is needed"), "{}", notice(&s));
    typed(&mut s, "regressed on tenant 7x");
    update(&mut s, key(KeyCode::Backspace));
    let effects = update(&mut s, key(KeyCode::Enter));
    let settings = recorded(&effects);
    assert_eq!(settings.len(), 1);
    assert_eq!(settings[0].item, Item::Pilot);
    assert_eq!(settings[0].status, Status::Red);
    assert_eq!(settings[0].note, "regressed on tenant 7");
    assert_eq!(settings[0].operator, "alice");
    // Not applied until the audit log has it.
    assert_eq!(
        s.scorecard().line(Item::Pilot).map(|l| l.status),
        Some(Status::Green)
    );
    update(
        &mut s,
        Msg::ScorecardRecorded {
            setting: settings[0].clone(),
            result: Err("audit log full".into()),
        },
    );
    assert_eq!(
        s.scorecard().line(Item::Pilot).map(|l| l.status),
        Some(Status::Green),
        "a setting the audit log refused is not applied"
    );
    assert!(notice(&s).contains("audit log full"), "{}", notice(&s));
    update(
        &mut s,
        Msg::ScorecardRecorded {
            setting: settings[0].clone(),
            result: Ok(()),
        },
    );
    assert_eq!(
        s.scorecard().line(Item::Pilot).map(|l| l.status),
        Some(Status::Red)
    );
}

#[test]
fn judged_items_and_read_only_screens_cannot_be_set() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('s'));
    update(&mut s, ch('g'));
    assert!(notice(&s).contains("judged from data"), "{}", notice(&s));
    assert!(matches!(&s.overlay, Overlay::Scorecard(v) if v.editing.is_none()));
    let mut s = with_rollout(Phase::Progressing, 1);
    s.read_only = true;
    update(&mut s, ch('s'));
    update(&mut s, ch('j'));
    update(&mut s, ch('r'));
    assert!(notice(&s).contains("read-only"), "{}", notice(&s));
    assert!(matches!(&s.overlay, Overlay::Scorecard(v) if v.editing.is_none()));
}

#[test]
fn two_items_not_green_make_promote_ask_for_a_typed_reason() {
    let mut s = with_rollout(Phase::Progressing, 1);
    assert!(!s.scorecard().is_no_go());
    set_item(&mut s, Item::Support, 'r', "on-call rota has a gap");
    assert!(s.scorecard().is_no_go());
    update(&mut s, ch('P'));
    assert!(
        matches!(s.overlay, Overlay::Override { .. }),
        "{:?}",
        s.overlay
    );
    // y and Enter alone do not promote: they are the start of a reason, or nothing.
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    typed(&mut s, "CEO demo at noon");
    let effects = update(&mut s, key(KeyCode::Enter));
    let request = effects.iter().find_map(|e| match e {
        Effect::Execute(r) => Some(r.clone()),
        _ => None,
    });
    let request = request.expect("a promote");
    assert_eq!(request.action, Action::Promote);
    let reason = request.reason.unwrap_or_default();
    assert!(reason.starts_with("NO-GO override ("), "{reason}");
    assert!(
        reason.contains("Champions and support staffed red"),
        "{reason}"
    );
    assert!(reason.ends_with("CEO demo at noon"), "{reason}");
}

#[test]
fn esc_leaves_the_override_without_promoting() {
    let mut s = with_rollout(Phase::Progressing, 1);
    set_item(&mut s, Item::Support, 'r', "gap");
    update(&mut s, ch('P'));
    typed(&mut s, "because");
    assert!(update(&mut s, key(KeyCode::Esc)).is_empty());
    assert_eq!(s.overlay, Overlay::None);
    assert!(s.in_flight.is_empty());
}

#[test]
fn a_rollback_that_worked_counts_as_a_rehearsal() {
    let mut s = with_rollout(Phase::Progressing, 1);
    s.last_rollback = None;
    assert_eq!(
        s.scorecard().line(Item::Runbooks).map(|l| l.status),
        Some(Status::Red)
    );
    update(&mut s, ch('r'));
    let effects = update(&mut s, ch('y'));
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::Execute(r) => Some(r.id),
            _ => None,
        })
        .unwrap_or_default();
    update(
        &mut s,
        Msg::ActionDone {
            id,
            action: Action::Rollback,
            at: epoch(),
            outcome: ActionOutcome::Done("rolled back".into()),
        },
    );
    assert_eq!(
        s.scorecard().line(Item::Runbooks).map(|l| l.status),
        Some(Status::Green)
    );
}

#[test]
fn a_breach_is_no_go_too_and_promote_then_takes_a_reason() {
    let mut s = state();
    let mut conditions = s.plan.stop_conditions.clone();
    for c in &mut conditions {
        c.hold = Span::zero();
    }
    s.guardrails = crate::domain::guardrail::Guardrails::new(conditions);
    update(
        &mut s,
        polled(
            0,
            epoch(),
            Ok(Report::Rollout(status(Phase::Progressing, 1))),
        ),
    );
    healthy_polls(&mut s);
    assert!(s.no_go_reasons().is_empty(), "{:?}", s.no_go_reasons());
    breaching_poll(&mut s);
    let reasons = s.no_go_reasons();
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("breach in eu-west-1: error rate")),
        "{reasons:?}"
    );
    let v = s.verdict();
    assert_eq!(v.call.word(), "NO-GO");
    assert_eq!(
        v.reasons.last().map(|r| r.text.as_str()),
        Some("scorecard GO")
    );
    assert!(
        !s.scorecard().is_no_go(),
        "the scorecard itself is still GO"
    );
    update(&mut s, ch('P'));
    assert!(
        matches!(s.overlay, Overlay::Override { .. }),
        "{:?}",
        s.overlay
    );
}

#[test]
fn a_condition_may_roll_back_only_the_region_in_breach() {
    let mut s = with_rollout(Phase::Progressing, 0);
    let mut conditions = s.plan.stop_conditions.clone();
    conditions[0].consequence = crate::domain::guardrail::Consequence::Rollback;
    conditions[0].region_only = true;
    conditions[0].hold = Span::zero();
    s.guardrails = crate::domain::guardrail::Guardrails::new(conditions);
    let effects = breaching_poll(&mut s);
    assert_eq!(
        requests(&effects),
        [(Action::Rollback, ActionScope::Region("eu-west-1".into()))]
    );
    let shown = s
        .timeline
        .newest_first()
        .any(|e| e.text.contains("→ rollback region"));
    assert!(shown, "the breach says what it does");
}

fn burst(text: &str) -> Msg {
    Msg::Keys(
        text.chars()
            .map(|c| match c {
                '\n' => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
                c => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
            })
            .collect(),
    )
}

#[test]
fn a_paste_never_acts() {
    for text in ["ready", "pp", "Py\n", "r\ny", "q"] {
        let mut s = with_rollout(Phase::Progressing, 1);
        let effects = update(&mut s, Msg::Paste(text.into()));
        assert!(effects.is_empty(), "{text:?}: {effects:?}");
        assert_eq!(s.overlay, Overlay::None, "{text:?} opened something");
        assert!(s.in_flight.is_empty());
        assert!(notice(&s).contains("paste ignored"), "{}", notice(&s));
    }
    // Nor does it answer a confirmation opened by a typed key.
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('r'));
    assert!(update(&mut s, Msg::Paste("y".into())).is_empty());
    assert!(matches!(&s.overlay, Overlay::Confirm(p) if p.action == Action::Rollback));
}

#[test]
fn a_paste_in_a_note_or_a_reason_is_text() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('s'));
    for _ in 0..6 {
        update(&mut s, ch('j'));
    }
    update(&mut s, ch('r'));
    update(
        &mut s,
        Msg::Paste("status page\r\nwithdrawn\u{1b}[2J by legal\u{202e}".into()),
    );
    let note = match &s.overlay {
        Overlay::Scorecard(v) => v.editing.clone().map(|(_, n)| n),
        _ => None,
    };
    assert_eq!(note.as_deref(), Some("status page withdrawn[2J by legal"));
    let setting = recorded(&update(&mut s, key(KeyCode::Enter)));
    assert_eq!(
        setting.first().map(|x| x.note.as_str()),
        Some("status page withdrawn[2J by legal")
    );
    // A paste longer than the field is cut at its length, and says so.
    update(&mut s, ch('a'));
    update(&mut s, Msg::Paste("x".repeat(MAX_TYPED + 50)));
    let note = match &s.overlay {
        Overlay::Scorecard(v) => v.editing.clone().map(|(_, n)| n),
        _ => None,
    };
    assert_eq!(note.map(|n| n.chars().count()), Some(MAX_TYPED));
    assert!(notice(&s).contains("paste cut"), "{}", notice(&s));
    // The override's reason takes a paste the same way, and Enter promotes.
    let mut s = with_rollout(Phase::Progressing, 1);
    s.overlay = Overlay::Override {
        scope: ActionScope::Rollout,
        reason: String::new(),
    };
    assert!(update(&mut s, Msg::Paste("legal\ncleared".into())).is_empty());
    assert!(matches!(&s.overlay, Overlay::Override { reason, .. } if reason == "legal cleared"));
    assert_eq!(
        executed(&update(&mut s, key(KeyCode::Enter))),
        [Action::Promote]
    );
}

#[test]
fn keys_of_one_burst_never_commit_what_one_of_them_opened() {
    // `ready` pasted without bracketed paste: r opens the rollback, y is held back.
    let mut s = with_rollout(Phase::Progressing, 1);
    assert!(executed(&update(&mut s, burst("ready"))).is_empty());
    assert!(matches!(&s.overlay, Overlay::Confirm(p) if p.action == Action::Rollback));
    assert!(notice(&s).contains("y not taken"), "{}", notice(&s));
    // Typed on its own, y answers it.
    assert_eq!(executed(&update(&mut s, ch('y'))), [Action::Rollback]);

    let mut s = with_rollout(Phase::Progressing, 1);
    assert!(executed(&update(&mut s, burst("pp"))).is_empty());
    assert!(s.in_flight.is_empty());
    // A burst that goes on from another (a paste in parts) commits nothing,
    // even the one key of its last part; the key typed on its own does.
    assert!(executed(&update(&mut s, burst("p"))).is_empty());
    assert_eq!(executed(&update(&mut s, ch('p'))), [Action::Pause]);

    // Tab changes what would be confirmed: a y in its burst is held back too.
    let mut s = with_regions(&[]);
    update(&mut s, ch('r'));
    assert!(
        executed(&update(
            &mut s,
            Msg::Keys(vec![
                KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
                KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE),
            ])
        ))
        .is_empty()
    );

    // A status chosen and a note typed and entered in one burst: not recorded.
    let mut s = with_rollout(Phase::Progressing, 1);
    let effects = update(&mut s, burst("sjjjjjjrnote\n"));
    assert!(recorded(&effects).is_empty(), "{effects:?}");
    assert!(notice(&s).contains("Enter not taken"), "{}", notice(&s));
    assert_eq!(recorded(&update(&mut s, key(KeyCode::Enter))).len(), 1);

    // NO-GO: the override's reason typed and entered with the P that opened it.
    let mut s = no_go_rollout();
    assert!(executed(&update(&mut s, burst("Pgo\n"))).is_empty());
    assert!(matches!(&s.overlay, Overlay::Override { reason, .. } if reason == "go"));
}

/// A rollout in progress that the scorecard calls NO-GO.
fn no_go_rollout() -> AppState {
    let mut s = with_rollout(Phase::Progressing, 1);
    for (item, note) in [(Item::Support, "gap"), (Item::Pilot, "regressed")] {
        let setting = crate::domain::scorecard::Setting {
            item,
            status: Status::Red,
            note: note.into(),
            operator: "pat".into(),
            at: epoch(),
        };
        update(
            &mut s,
            Msg::ScorecardRecorded {
                setting,
                result: Ok(()),
            },
        );
    }
    s
}

#[test]
fn the_footer_offers_what_acts_now_from_the_key_map() {
    let labels = |s: &AppState| -> Vec<String> {
        crate::app::keymap::offered(s)
            .into_iter()
            .map(|(k, what)| format!("{k} {what}"))
            .collect()
    };
    let s = with_rollout(Phase::Progressing, 1);
    assert_eq!(
        labels(&s),
        [
            "p pause",
            "P promote",
            "r roll back",
            "↑↓ region",
            "s scorecard",
            "b presenter",
            "c drafts",
            "a annotate",
            "z zoom matrix",
            "t theme",
            "? help",
            "q quit"
        ]
    );
    let s = with_rollout(Phase::Paused, 1);
    assert!(labels(&s).contains(&"p resume".to_string()));
    let mut s = with_rollout(Phase::Progressing, 1);
    s.read_only = true;
    assert_eq!(labels(&s)[0], "↑↓ region", "read-only offers no action");
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('r'));
    assert_eq!(labels(&s), ["y roll back", "Tab scope", "Esc cancel"]);
    // NO-GO still offers promote: it opens the override.
    assert!(labels(&no_go_rollout()).contains(&"P promote".to_string()));
}

#[test]
fn an_unknown_outcome_is_neither_done_nor_failed() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('p'));
    update(&mut s, ch('p'));
    let id = s.in_flight.first().map(|f| f.id).unwrap_or_default();
    let why = "the target answered 302 (a redirect), not followed".to_string();
    update(
        &mut s,
        Msg::ActionDone {
            id,
            action: Action::Pause,
            at: epoch(),
            outcome: ActionOutcome::Unknown(why),
        },
    );
    assert!(s.in_flight.is_empty(), "the action is answered");
    assert_eq!(s.notice.as_ref().map(|n| n.level), Some(NoticeLevel::Warn));
    let last = s.timeline.newest_first().next().cloned();
    let last = last.map(|e| (e.kind, e.text));
    let Some(last) = last else {
        panic!("nothing on the timeline");
    };
    assert_eq!(last.0, EventKind::ActionUnknown);
    assert!(
        last.1
            .starts_with("pause: outcome unknown: the target answered 302"),
        "{}",
        last.1
    );
}

mod annotate;
mod bake;
mod baseline;
mod debrief;
mod drafts;
mod gates;
mod outbox;
mod signals;
mod view;

#[test]
fn a_key_that_does_nothing_says_so_once() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('x'));
    assert!(notice(&s).contains("x does nothing here"), "{}", notice(&s));
    s.notice = None;
    update(&mut s, ch('x'));
    assert!(s.notice.is_none(), "told once: {:?}", s.notice);
    update(&mut s, ch('w'));
    assert!(notice(&s).contains("w does nothing here"), "{}", notice(&s));
}
