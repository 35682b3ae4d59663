//! What the outbox tells: one breach and one recovery per condition and
//! place, sharing a key; actions asked and come back; a wave entered; the
//! verdict turning NO-GO; nothing when no receiver listens.

use super::*;
use crate::app::receivers::{DeliveryReport, DeliveryState, ReceiverHealth};
use crate::domain::notification::{Notification, NotifyEvent};

fn listening(mut s: AppState) -> AppState {
    s.receivers.push(ReceiverHealth::new("ops", "slack"));
    s
}

fn told(effects: &[Effect]) -> Vec<Notification> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Notify(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

fn of(effects: &[Effect], event: NotifyEvent) -> Vec<Notification> {
    told(effects)
        .into_iter()
        .filter(|n| n.event == event)
        .collect()
}

fn healthy_at(s: &mut AppState, seconds: i64) -> Vec<Effect> {
    update(
        s,
        polled(
            1,
            epoch() + Span::seconds(seconds),
            Ok(Report::Metrics(healthy_samples(1.0))),
        ),
    )
}

#[test]
fn a_breach_is_told_once_and_its_recovery_once_with_the_same_key() {
    let mut s = listening(auto_pausing(Phase::Progressing));
    let first = breaching_poll(&mut s);
    let breach = of(&first, NotifyEvent::Breach);
    assert_eq!(breach.len(), 1, "{first:?}");
    let b = &breach[0];
    assert_eq!(b.region.as_deref(), Some("eu-west-1"));
    assert!(b.text.starts_with("BREACH error rate"), "{}", b.text);
    assert!(b.drill, "the demo's messages are drills");
    assert_eq!(b.severity, crate::domain::notification::Severity::Error);
    let key = b.dedup_key.clone().unwrap();
    assert!(
        key.starts_with("drill/warroom/") && key.ends_with("/eu-west-1"),
        "{key}"
    );
    // Still breached: nothing more about it.
    let again = breaching_poll(&mut s);
    assert!(of(&again, NotifyEvent::Breach).is_empty(), "{again:?}");
    let healthy = healthy_at(&mut s, 2);
    let recovery = of(&healthy, NotifyEvent::Recovery);
    assert_eq!(recovery.len(), 1, "{healthy:?}");
    assert_eq!(recovery[0].dedup_key.as_deref(), Some(key.as_str()));
    assert!(recovery[0].text.contains("RECOVERED"));
    assert!(of(&healthy_at(&mut s, 3), NotifyEvent::Recovery).is_empty());
}

#[test]
fn actions_are_told_when_asked_and_when_they_come_back() {
    let mut s = listening(auto_pausing(Phase::Progressing));
    let effects = breaching_poll(&mut s);
    let asked = of(&effects, NotifyEvent::ActionAsked);
    assert_eq!(asked.len(), 1, "{effects:?}");
    assert!(asked[0].text.starts_with("warroom asked to pause"));
    let id = s.in_flight[0].id;
    let done = update(
        &mut s,
        Msg::ActionDone {
            id,
            action: Action::Pause,
            at: epoch(),
            outcome: ActionOutcome::Done("paused".into()),
        },
    );
    let done = of(&done, NotifyEvent::ActionDone);
    assert_eq!(done.len(), 1);
    assert!(done[0].text.contains("pause done"), "{}", done[0].text);
    update(&mut s, ch('r'));
    update(&mut s, ch('y'));
    let id = s.in_flight[0].id;
    let failed = update(
        &mut s,
        Msg::ActionDone {
            id,
            action: Action::Rollback,
            at: epoch(),
            outcome: ActionOutcome::Failed("refused".into()),
        },
    );
    assert_eq!(of(&failed, NotifyEvent::ActionFailed).len(), 1);
}

#[test]
fn a_new_wave_is_told_but_not_the_one_the_screen_opened_on() {
    let mut s = listening(state());
    let first = update(
        &mut s,
        polled(
            0,
            epoch(),
            Ok(Report::Rollout(status(Phase::Progressing, 0))),
        ),
    );
    assert!(of(&first, NotifyEvent::WaveEntered).is_empty());
    let next = update(
        &mut s,
        polled(
            0,
            epoch(),
            Ok(Report::Rollout(status(Phase::Progressing, 1))),
        ),
    );
    let wave = of(&next, NotifyEvent::WaveEntered);
    assert_eq!(wave.len(), 1, "{next:?}");
    assert!(wave[0].text.starts_with("wave 2/"), "{}", wave[0].text);
}

#[test]
fn go_turning_no_go_is_told_once() {
    let mut s = listening(auto_pausing(Phase::Progressing));
    // The new conditions judged once on healthy numbers: GO again.
    healthy_at(&mut s, -1);
    assert!(s.verdict().call.is_go(), "{:?}", s.verdict());
    let effects = breaching_poll(&mut s);
    let no_go = of(&effects, NotifyEvent::NoGo);
    assert_eq!(no_go.len(), 1, "{effects:?}");
    assert!(no_go[0].text.starts_with("verdict turned NO-GO"));
    assert!(of(&breaching_poll(&mut s), NotifyEvent::NoGo).is_empty());
}

#[test]
fn nothing_leaves_without_a_receiver_and_nothing_old_is_told_later() {
    let mut s = auto_pausing(Phase::Progressing);
    assert!(told(&breaching_poll(&mut s)).is_empty());
    // A receiver added now hears of nothing that came before it.
    s.receivers.push(ReceiverHealth::new("ops", "slack"));
    let later = breaching_poll(&mut s);
    assert!(of(&later, NotifyEvent::Breach).is_empty(), "{later:?}");
}

#[test]
fn a_delivery_report_reaches_the_receiver_and_the_timeline() {
    let mut s = listening(state());
    let report = |state| DeliveryReport {
        receiver: 0,
        event: NotifyEvent::Breach,
        at: epoch(),
        state,
        queued: 2,
        dropped: 0,
    };
    let why = "cannot connect: Connection refused".to_string();
    update(
        &mut s,
        Msg::Delivered(report(DeliveryState::Retrying {
            tries: 1,
            why: why.clone(),
        })),
    );
    assert_eq!(s.receivers[0].queued, 2);
    assert!(
        s.timeline
            .newest_first()
            .all(|e| e.kind != EventKind::Notification)
    );
    let effects = update(
        &mut s,
        Msg::Delivered(report(DeliveryState::Failed { tries: 5, why })),
    );
    assert!(told(&effects).is_empty(), "a delivery is never told again");
    assert_eq!((s.receivers[0].failed, s.receivers[0].retries), (1, 4));
    let line = s.timeline.newest_first().next().unwrap();
    assert_eq!(
        line.kind,
        EventKind::Failed,
        "a message given up on is a failure"
    );
    assert!(
        line.text
            .contains("slack ops: breach NOT delivered after 5 tries"),
        "{}",
        line.text
    );
}

#[test]
fn an_annotation_is_told_by_the_screen_it_was_written_on_only() {
    let mut s = listening(state());
    update(&mut s, ch('a'));
    for c in "db failover started".chars() {
        update(&mut s, ch(c));
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    let sent = of(&effects, NotifyEvent::Annotation);
    assert_eq!(sent.len(), 1, "{effects:?}");
    assert!(
        sent[0].text.contains("db failover started"),
        "{}",
        sent[0].text
    );
    // The same line read back from the log (here, or on another screen)
    // is not told again.
    let recalled = crate::domain::scorecard::Recalled {
        annotations: vec![crate::domain::timeline::Annotation {
            at: s.now,
            operator: "someone-else".into(),
            text: "db failover started".into(),
        }],
        ..Default::default()
    };
    let effects = update(&mut s, Msg::Recalled(recalled));
    assert!(
        of(&effects, NotifyEvent::Annotation).is_empty(),
        "{effects:?}"
    );
}
