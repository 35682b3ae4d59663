#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Mutex;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::*;
use crate::domain::Span;
use crate::domain::clock::ManualClock;
use crate::domain::drill::scenario::{FleetChoice, Scenario};
use crate::sim::drill::InjectionRun;

/// A script that behaves as a drill's does: pending injections begin when
/// injected, active ones end when cleared, and the clock stops when paused.
#[derive(Clone, Default)]
struct FakeDrill {
    board: Arc<Mutex<(bool, Vec<InjectionRun>)>>,
}

impl FakeDrill {
    fn with(ids: &[&str]) -> FakeDrill {
        let runs = ids
            .iter()
            .map(|id| InjectionRun {
                id: id.to_string(),
                summary: format!("{id}: error rate +6 % in us-east-1 (canary)"),
                state: InjectionState::Pending {
                    due: Some(Span::seconds(600)),
                },
                started: None,
                ended: None,
                failed_requests: 0,
            })
            .collect();
        FakeDrill {
            board: Arc::new(Mutex::new((false, runs))),
        }
    }

    fn find<T>(&self, id: &str, f: impl FnOnce(&mut InjectionRun) -> T) -> Result<T, String> {
        let mut board = self.board.lock().unwrap();
        match board.1.iter_mut().find(|r| r.id == id) {
            Some(run) => Ok(f(run)),
            None => Err(format!("no injection \"{id}\" in this drill")),
        }
    }
}

impl Controls for FakeDrill {
    fn view(&self, _now: Timestamp) -> ScriptView {
        let board = self.board.lock().unwrap();
        ScriptView {
            scenario: "canary-regression".into(),
            clock: Span::seconds(42),
            paused: board.0,
            injections: board.1.clone(),
        }
    }
    fn inject_now(&self, id: &str, now: Timestamp) -> Result<(), String> {
        self.find(id, |r| match r.state {
            InjectionState::Pending { .. } => {
                r.state = InjectionState::Active;
                r.started = Some(now);
                Ok(())
            }
            _ => Err(format!("{id} has already begun")),
        })?
    }
    fn clear(&self, id: &str, now: Timestamp) -> Result<(), String> {
        self.find(id, |r| {
            r.state = InjectionState::Ended;
            r.ended = Some(now);
        })
    }
    fn pause_clock(&self, paused: bool, _now: Timestamp) {
        self.board.lock().unwrap().0 = paused;
    }
}

fn at() -> Timestamp {
    "2026-03-01T14:00:00Z".parse().unwrap()
}

fn done(answer: Answer) -> Script {
    match answer {
        Answer::Done(s) => s,
        Answer::Refused(why) => panic!("refused: {why}"),
    }
}

#[test]
fn each_request_acts_on_the_script_and_answers_with_it() {
    let drill = FakeDrill::with(&["canary-errors", "herring"]);
    let view = done(respond(&drill, at(), br#"{"op":"view"}"#));
    assert_eq!(view.scenario, "canary-regression");
    assert_eq!((view.clock, view.paused, view.now), (42, false, at()));
    assert_eq!(view.injections[0].stage, Stage::Pending);
    assert_eq!(view.injections[0].due, Some(600));

    let later = at() + Span::seconds(5);
    let s = done(respond(
        &drill,
        later,
        b"{\"op\":\"inject\",\"id\":\"canary-errors\"}\n",
    ));
    assert_eq!(s.injections[0].stage, Stage::Active);
    assert_eq!(s.injections[0].started, Some(later));
    assert_eq!(s.injections[0].due, None);
    assert_eq!(s.injections[1].stage, Stage::Pending);

    let s = done(respond(
        &drill,
        later,
        br#"{"op":"clear","id":"canary-errors"}"#,
    ));
    assert_eq!(s.injections[0].stage, Stage::Ended);
    assert!(done(respond(&drill, later, br#"{"op":"pause"}"#)).paused);
    assert!(!done(respond(&drill, later, br#"{"op":"resume"}"#)).paused);
}

#[test]
fn what_the_drill_refuses_and_what_is_malformed_are_answered_as_errors() {
    let drill = FakeDrill::with(&["canary-errors"]);
    let refused = respond(&drill, at(), br#"{"op":"inject","id":"nope"}"#);
    assert_eq!(
        refused,
        Answer::Refused("no injection \"nope\" in this drill".into())
    );
    done(respond(
        &drill,
        at(),
        br#"{"op":"inject","id":"canary-errors"}"#,
    ));
    let again = respond(&drill, at(), br#"{"op":"inject","id":"canary-errors"}"#);
    assert_eq!(
        again,
        Answer::Refused("canary-errors has already begun".into())
    );
    for bad in [&b"{\"op\":\"rm -rf\"}"[..], b"\x00\x01", b"{}", b""] {
        assert!(matches!(respond(&drill, at(), bad), Answer::Refused(_)));
    }
}

#[test]
fn the_real_handle_answers_for_its_scenario_and_refuses_an_unknown_id() {
    let scenario = Scenario {
        name: "canary-regression".into(),
        title: "the canary regresses".into(),
        briefing: String::new(),
        fleet: FleetChoice::Demo,
        seed: 42,
        pace: Span::seconds(30),
        injections: Vec::new(),
        expect: Vec::new(),
        forbid: Vec::new(),
        objectives: Vec::new(),
        comms: None,
    };
    let handle = DrillHandle::new(scenario, at());
    let view = done(respond(&handle, at(), br#"{"op":"view"}"#));
    assert_eq!(view.scenario, "canary-regression");
    let refused = respond(&handle, at(), br#"{"op":"clear","id":"nothing-here"}"#);
    assert!(matches!(refused, Answer::Refused(_)), "{refused:?}");
}

fn socket_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wr-fac-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("state").join("drill.sock")
}

fn clock() -> Arc<dyn Clock> {
    Arc::new(ManualClock::new(at()))
}

async fn ask(stream: &mut BufReader<UnixStream>, line: &[u8]) -> Result<Answer, String> {
    stream.get_mut().write_all(line).await.unwrap();
    let mut back = Vec::new();
    stream.read_until(b'\n', &mut back).await.unwrap();
    control::parse_answer(&back)
}

#[tokio::test]
async fn the_socket_answers_line_by_line_owner_only_and_goes_when_dropped() {
    let path = socket_path("serve");
    let drill = FakeDrill::with(&["canary-errors"]);
    let guard = serve(drill.clone(), clock(), path.clone()).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let dir_mode = std::fs::metadata(path.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o077, 0, "the state folder is the owner's only");

    let mut seat = BufReader::new(UnixStream::connect(&path).await.unwrap());
    let view = ask(&mut seat, b"{\"op\":\"view\"}\n").await.unwrap();
    assert!(matches!(view, Answer::Done(ref s) if s.scenario == "canary-regression"));
    let bad = ask(&mut seat, b"hello\n").await.unwrap();
    assert!(matches!(bad, Answer::Refused(ref w) if w.starts_with("not a request")));
    let Answer::Done(s) = ask(&mut seat, b"{\"op\":\"inject\",\"id\":\"canary-errors\"}\n")
        .await
        .unwrap()
    else {
        panic!("inject refused")
    };
    assert_eq!(s.injections[0].stage, Stage::Active);

    drop(guard);
    assert!(!path.exists(), "the socket is removed on exit");
}

#[tokio::test]
async fn a_line_past_the_cap_is_refused_and_the_seat_let_go() {
    let path = socket_path("cap");
    let _guard = serve(FakeDrill::with(&[]), clock(), path.clone()).unwrap();
    let mut seat = BufReader::new(UnixStream::connect(&path).await.unwrap());
    let mut long = vec![b'x'; 64 * 1024];
    long.push(b'\n');
    // The drill reads only the first 4097 bytes; the rest may never be taken.
    let _ = seat.get_mut().write_all(&long).await;
    let mut back = Vec::new();
    seat.read_until(b'\n', &mut back).await.unwrap();
    let answer = control::parse_answer(&back).unwrap();
    assert_eq!(
        answer,
        Answer::Refused("request longer than 4096 bytes: send one JSON object a line".into())
    );
    back.clear();
    let rest = seat.read_until(b'\n', &mut back).await;
    assert!(matches!(rest, Ok(0) | Err(_)), "the connection is closed");

    // Another seat is still answered.
    let mut other = BufReader::new(UnixStream::connect(&path).await.unwrap());
    assert!(matches!(
        ask(&mut other, b"{\"op\":\"view\"}\n").await,
        Ok(Answer::Done(_))
    ));
}

#[tokio::test]
async fn a_second_drill_is_refused_while_the_first_answers_and_a_stale_socket_is_replaced() {
    let path = socket_path("second");
    let first = serve(FakeDrill::with(&[]), clock(), path.clone()).unwrap();
    let second = serve(FakeDrill::with(&[]), clock(), path.clone()).unwrap_err();
    let message = second.to_string();
    assert!(message.starts_with("another drill is running"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(
        path.exists(),
        "the refused drill leaves the first one's socket"
    );
    drop(first);

    // A drill that died leaves its socket file behind, answering no one.
    let dead = std::os::unix::net::UnixListener::bind(&path).unwrap();
    drop(dead);
    assert!(path.exists());
    let _third = serve(FakeDrill::with(&[]), clock(), path.clone()).unwrap();
    let mut seat = BufReader::new(UnixStream::connect(&path).await.unwrap());
    assert!(matches!(
        ask(&mut seat, b"{\"op\":\"view\"}\n").await,
        Ok(Answer::Done(_))
    ));
}

#[tokio::test]
async fn a_file_that_is_not_a_socket_is_left_alone() {
    let path = socket_path("file");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "notes").unwrap();
    let e = serve(FakeDrill::with(&[]), clock(), path.clone()).unwrap_err();
    assert!(e.to_string().contains("is not a socket"), "{e}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "notes");
}
