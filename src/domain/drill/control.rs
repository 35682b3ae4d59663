//! The drill's control protocol, spoken between a running drill and the
//! facilitator's seat over a local socket: one JSON object a line each way,
//! one request, one answer (docs/drills.md, "Facilitating"). Pure: reading
//! and writing the lines is the caller's.

use serde::{Deserialize, Serialize};

use crate::domain::text;
use crate::domain::{Span, Timestamp};

/// The longest request line the drill reads, newline included.
pub const REQUEST_LIMIT: usize = 4096;
/// The longest answer line the seat reads: a script of a few hundred
/// injections fits many times over.
pub const ANSWER_LIMIT: usize = 1 << 20;
/// The longest id, summary or message kept from an answer.
const TEXT_LIMIT: usize = 200;

/// What the facilitator asks of the drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Request {
    /// The script as it stands.
    View,
    /// Begin injection `id` now, whatever its schedule said.
    Inject { id: String },
    /// End injection `id` now.
    Clear { id: String },
    /// Stop the drill clock.
    Pause,
    /// Restart it.
    Resume,
}

/// Where an injection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Pending,
    Active,
    Ended,
}

/// One injection of the script, as the facilitator sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scripted {
    pub id: String,
    pub summary: String,
    pub stage: Stage,
    /// Drill time, in seconds, when a pending injection is due, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<Timestamp>,
    pub failed_requests: u64,
}

/// The script as it stands, at the drill's `now`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Script {
    pub scenario: String,
    /// Drill time in seconds: since the drill began, less the time paused.
    pub clock: i64,
    pub paused: bool,
    /// The drill's wall clock when it answered: `started` and `ended` are
    /// read against it, not against the seat's clock.
    pub now: Timestamp,
    pub injections: Vec<Scripted>,
}

impl Script {
    pub fn clock(&self) -> Span {
        Span::seconds(self.clock)
    }
}

/// The drill's answer to one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Done; the script as it stands after it.
    Done(Script),
    /// Not done, and why.
    Refused(String),
}

/// An answer as it travels: `{"ok":true,"script":{…}}` or
/// `{"ok":false,"error":"…"}`.
#[derive(Serialize, Deserialize)]
struct WireAnswer {
    ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    script: Option<Script>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Read one request line (with or without its newline).
pub fn parse_request(line: &[u8]) -> Result<Request, String> {
    if line.len() > REQUEST_LIMIT {
        return Err(format!(
            "request longer than {REQUEST_LIMIT} bytes: send one JSON object a line"
        ));
    }
    let line = std::str::from_utf8(line).map_err(|_| "request is not UTF-8".to_string())?;
    let line = line.trim();
    if line.is_empty() {
        return Err("empty request: send one JSON object a line, e.g. {\"op\":\"view\"}".into());
    }
    serde_json::from_str(line).map_err(|e| {
        format!(
            "not a request ({}): send {{\"op\":\"view\"}}, {{\"op\":\"inject\",\"id\":\"…\"}}, {{\"op\":\"clear\",\"id\":\"…\"}}, {{\"op\":\"pause\"}} or {{\"op\":\"resume\"}}",
            text::message(&e.to_string(), &[])
        )
    })
}

/// `request` as a line, newline included.
pub fn request_line(request: &Request) -> String {
    // A request of strings and unit variants always serialises.
    let mut line = serde_json::to_string(request).unwrap_or_default();
    line.push('\n');
    line
}

/// `answer` as a line, newline included.
pub fn answer_line(answer: &Answer) -> String {
    let wire = match answer {
        Answer::Done(script) => WireAnswer {
            ok: true,
            script: Some(script.clone()),
            error: None,
        },
        Answer::Refused(why) => WireAnswer {
            ok: false,
            script: None,
            error: Some(why.clone()),
        },
    };
    let mut line = serde_json::to_string(&wire)
        .unwrap_or_else(|_| r#"{"ok":false,"error":"the answer could not be written"}"#.into());
    line.push('\n');
    line
}

/// Read one answer line; its text is made safe to show on arrival.
pub fn parse_answer(line: &[u8]) -> Result<Answer, String> {
    if line.len() > ANSWER_LIMIT {
        return Err(format!("answer longer than {ANSWER_LIMIT} bytes"));
    }
    let wire: WireAnswer =
        serde_json::from_slice(line).map_err(|e| format!("not an answer of a drill: {e}"))?;
    let safe = |s: &str| text::outside(s, TEXT_LIMIT, &[]);
    match (wire.ok, wire.script, wire.error) {
        (true, Some(mut script), _) => {
            script.scenario = safe(&script.scenario);
            for i in &mut script.injections {
                i.id = safe(&i.id);
                i.summary = safe(&i.summary);
            }
            Ok(Answer::Done(script))
        }
        (false, _, Some(why)) => Ok(Answer::Refused(safe(&why))),
        _ => Err("not an answer of a drill: neither a script nor an error".into()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn script() -> Script {
        Script {
            scenario: "canary-regression".into(),
            clock: 75,
            paused: true,
            now: "2026-03-01T14:00:00Z".parse().unwrap(),
            injections: vec![Scripted {
                id: "canary-errors".into(),
                summary: "error rate +6 % in us-east-1 (canary)".into(),
                stage: Stage::Pending,
                due: Some(600),
                started: None,
                ended: None,
                failed_requests: 0,
            }],
        }
    }

    #[test]
    fn every_request_reads_back_as_written() {
        for r in [
            Request::View,
            Request::Inject { id: "a".into() },
            Request::Clear { id: "b c".into() },
            Request::Pause,
            Request::Resume,
        ] {
            let line = request_line(&r);
            assert!(line.ends_with('\n') && line.matches('\n').count() == 1);
            assert_eq!(parse_request(line.as_bytes()).unwrap(), r);
        }
        assert_eq!(
            parse_request(br#"{"op":"inject","id":"x"}"#).unwrap(),
            Request::Inject { id: "x".into() }
        );
    }

    #[test]
    fn a_malformed_request_is_refused_with_what_to_send() {
        for bad in [
            &b"view"[..],
            br#"{"op":"explode"}"#,
            br#"{"op":"inject"}"#,
            br#"{"op":"inject","id":7}"#,
            br#"[1,2]"#,
            b"{",
        ] {
            let e = parse_request(bad).unwrap_err();
            assert!(e.starts_with("not a request ("), "{e}");
            assert!(e.contains(r#"{"op":"view"}"#), "{e}");
        }
        assert!(
            parse_request(b"  \n")
                .unwrap_err()
                .starts_with("empty request")
        );
        assert_eq!(
            parse_request(&[0xff, 0xfe, b'\n']).unwrap_err(),
            "request is not UTF-8"
        );
    }

    #[test]
    fn a_request_past_the_cap_is_refused_unread() {
        let mut line = br#"{"op":"inject","id":""#.to_vec();
        line.resize(REQUEST_LIMIT - 3, b'a');
        line.extend_from_slice(b"\"}\n");
        assert_eq!(line.len(), REQUEST_LIMIT);
        assert!(parse_request(&line).is_ok());
        line.insert(20, b'a');
        let e = parse_request(&line).unwrap_err();
        assert_eq!(
            e,
            "request longer than 4096 bytes: send one JSON object a line"
        );
    }

    #[test]
    fn answers_read_back_and_their_text_is_made_safe() {
        let done = Answer::Done(script());
        let line = answer_line(&done);
        assert!(line.starts_with(r#"{"ok":true,"script":{"scenario":"canary-regression""#));
        assert_eq!(parse_answer(line.as_bytes()).unwrap(), done);
        let refused = Answer::Refused("no injection \"x\"".into());
        assert_eq!(
            answer_line(&refused),
            "{\"ok\":false,\"error\":\"no injection \\\"x\\\"\"}\n"
        );
        assert_eq!(
            parse_answer(answer_line(&refused).as_bytes()).unwrap(),
            refused
        );

        let mut evil = script();
        evil.injections[0].summary = "\u{1b}[2Jgone\nnext".into();
        let Answer::Done(back) = parse_answer(answer_line(&Answer::Done(evil)).as_bytes()).unwrap()
        else {
            panic!("not a script")
        };
        assert!(!back.injections[0].summary.contains('\u{1b}'));
        assert!(!back.injections[0].summary.contains('\n'));
    }

    #[test]
    fn a_broken_answer_is_an_error_not_a_panic() {
        for bad in [
            &b"nonsense"[..],
            br#"{"ok":true}"#,
            br#"{"ok":false}"#,
            br#"{"ok":true,"script":{"scenario":1}}"#,
            b"",
        ] {
            assert!(parse_answer(bad).is_err());
        }
        assert!(
            parse_answer(&vec![b' '; ANSWER_LIMIT + 1])
                .unwrap_err()
                .starts_with("answer longer than")
        );
    }
}
