//! RFC 3339 times as event files write them, read without a general parser
//! for the shape nearly every line has (`2026-03-02T14:00:00Z`, with or
//! without fractions of a second, `Z` or a `±HH:MM` offset); anything else
//! goes to chrono's reading, which names what is wrong.

use chrono::{DateTime, NaiveDate};

use crate::domain::Timestamp;

/// The time `text` says, or why it is not one.
pub fn parse(text: &str) -> Result<Timestamp, String> {
    if let Some(t) = quick(text.as_bytes()) {
        return Ok(t);
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.to_utc())
        .map_err(|e| format!("`{}` is not an RFC 3339 time: {e}", shown(text)))
}

/// At most 40 characters of `text`, for an error message.
fn shown(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// The common shapes, or `None` for chrono to judge.
fn quick(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    // A leap second, a 24th hour and the like: chrono's rules.
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if let [b'.', tail @ ..] = rest {
        let count = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if count == 0 || count > 9 {
            return None;
        }
        nanos = digits(&tail[..count])? * 10u32.pow(9 - count as u32);
        rest = &tail[count..];
    }
    let offset: i64 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = i64::from(digits(&[*h1, *h2])?);
            let minutes = i64::from(digits(&[*m1, *m2])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let secs = hours * 3600 + minutes * 60;
            if *sign == b'+' { secs } else { -secs }
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let local = date.and_hms_nano_opt(hour, minute, second, nanos)?;
    let utc = local.and_utc() - chrono::TimeDelta::seconds(offset);
    Some(utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_reading_agrees_with_chrono() {
        let times = [
            "2026-03-02T14:00:00Z",
            "2026-03-02t14:00:00z",
            "2026-03-02T14:00:00.5Z",
            "2026-03-02T14:00:00.123456789Z",
            "2026-03-02T14:00:00+02:00",
            "2026-03-02T14:00:00-07:30",
            "2024-02-29T23:59:59Z",
            "2026-12-31T23:59:59.999+14:00",
            "0001-01-01T00:00:00Z",
        ];
        for text in times {
            let expected = DateTime::parse_from_rfc3339(text).map(|t| t.to_utc());
            assert!(quick(text.as_bytes()).is_some(), "{text}");
            assert_eq!(parse(text), expected.map_err(|e| e.to_string()), "{text}");
        }
    }

    #[test]
    fn what_is_not_a_time_is_refused_by_either_reading() {
        let wrong = [
            "yesterday",
            "2026-02-30T00:00:00Z",
            "2026-03-02T24:00:00Z",
            "2026-03-02T14:00:00",
            "2026-03-02T14:00:00+2:00",
            "2026-03-02T14:00:00.Z",
            "2026-13-02T14:00:00Z",
            "２０２６-03-02T14:00:00Z",
        ];
        for text in wrong {
            let e = parse(text).expect_err(text);
            assert!(e.contains("is not an RFC 3339 time"), "{text}: {e}");
        }
        // A leap second is chrono's to judge.
        assert_eq!(quick(b"2016-12-31T23:59:60Z"), None);
    }
}
