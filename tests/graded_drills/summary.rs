//! A grade in lines, times in seconds since the drill's start, for exact
//! assertions; and what its Markdown debrief must say.

use warroom::domain::drill::grade::{Grade, said};
use warroom::runtime::demo::epoch;

/// Seconds of `t` since the drill's start, as the summary says them.
pub fn at(t: Option<warroom::domain::Timestamp>) -> String {
    t.map_or("—".to_string(), |t| {
        format!("{}s", (t - epoch()).num_seconds())
    })
}

pub fn span(d: Option<warroom::domain::Span>) -> String {
    d.map_or("—".to_string(), |d| format!("{}s", d.num_seconds()))
}

/// The grade in lines: verdict, each injection's times (from its start),
/// each action's verdict, each expectation, each objective, the comms.
pub fn summary(g: &Grade) -> String {
    let mut out = vec![g.verdict_word().to_string()];
    for i in &g.injections {
        out.push(format!(
            "{} in {} from {}: signal {}, acknowledge {}, mitigate {}, recover {}, {} failed",
            i.id,
            i.region.as_deref().unwrap_or("—"),
            at(i.started),
            span(i.time_to_signal()),
            span(i.time_to_acknowledge()),
            span(i.time_to_mitigate()),
            span(i.time_to_recover()),
            i.failed_requests
        ));
    }
    for a in &g.actions {
        out.push(format!(
            "{} ({}) at {}: {}: {}",
            a.action,
            a.scope.label(),
            at(Some(a.at)),
            a.verdict.word(),
            a.why
        ));
    }
    for e in &g.expectations {
        out.push(format!(
            "expect {} of {} by {}: {}",
            e.wanted,
            e.injection,
            at(e.deadline),
            match e.met {
                Some(_) if e.in_time() => format!("met at {}", at(e.met)),
                Some(_) => format!("met late at {}", at(e.met)),
                None => "missed".to_string(),
            }
        ));
    }
    for o in &g.objectives {
        let word = if o.met { "met" } else { "NOT MET" };
        out.push(format!("objective {word}: {}", o.text));
    }
    if let Some(c) = &g.comms {
        out.push(format!(
            "comms due {}, sent {}: {}",
            at(c.due),
            at(c.first_sent),
            if c.met() { "met" } else { "NOT MET" }
        ));
    }
    out.join("\n")
}

/// The Markdown debrief says the verdict and every graded word.
pub fn says_the_grade(g: &Grade, md: &str) {
    assert!(
        md.contains(&format!("Result: **{}**", g.verdict_word())),
        "{md}"
    );
    for a in &g.actions {
        let word = a.verdict.word().to_lowercase();
        assert!(
            md.contains(&format!("{word}: {}", a.action)),
            "{word}: {md}"
        );
    }
    for i in &g.injections {
        let line = format!(
            "time to signal {}, to acknowledge {}, to mitigate {}",
            said(i.time_to_signal()),
            said(i.time_to_acknowledge()),
            said(i.time_to_mitigate())
        );
        assert!(md.contains(&line), "{line}: {md}");
    }
}
