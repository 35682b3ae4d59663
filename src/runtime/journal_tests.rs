use super::*;
use crate::domain::timeline::EventKind;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("warroom-journal-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("j.jsonl")
}

fn header() -> Header {
    let opening = Opening::new(
        &Seat::new("ana", vec!["dark".into()]),
        crate::sim::adapter::source_infos(),
        RunMode::Demo,
        crate::runtime::demo::epoch(),
    );
    let recording = Recording {
        path: PathBuf::new(),
        kind: Kind::Demo,
        origin: Origin::Sim {
            scenario: "fault".into(),
            seed: 7,
            regions: None,
        },
    };
    Header::new(&recording, &opening, (100, 30), "dark")
}

fn note(text: &str) -> Msg {
    Msg::Note {
        kind: EventKind::Progress,
        text: text.into(),
    }
}

#[test]
fn a_journal_reads_back_as_written() {
    let path = temp("roundtrip");
    let mut j = Journal::create(&path, &header(), &[]).unwrap();
    let t = crate::runtime::demo::epoch();
    assert_eq!(j.record(t, None, &note("one")), None);
    assert_eq!(j.record(t, Some((90, 20)), &Msg::Resize), None);
    assert_eq!(j.record(t, None, &Msg::Terminate("SIGTERM")), None);
    assert_eq!(j.counter().load(Ordering::Relaxed), 3);
    let read = read(&path).unwrap();
    assert!(!read.torn);
    assert_eq!(read.header.origin, header().origin);
    assert_eq!(read.header.size, (100, 30));
    assert_eq!(read.entries.len(), 3);
    assert!(matches!(&read.entries[0].msg, Msg::Note { text, .. } if text == "one"));
    assert_eq!(read.entries[1].size, Some((90, 20)));
    assert!(matches!(read.entries[2].msg, Msg::Terminate(_)));
}

#[cfg(unix)]
#[test]
fn a_journal_is_its_owners_alone_and_never_written_over() {
    use std::os::unix::fs::PermissionsExt;
    let path = temp("private");
    drop(Journal::create(&path, &header(), &[]).unwrap());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let again = Journal::create(&path, &header(), &[]).err().unwrap();
    assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
    assert!(again.to_string().contains("j.jsonl"), "{again}");
}

#[test]
fn a_line_cut_short_is_left_out_and_said() {
    let path = temp("torn");
    let mut j = Journal::create(&path, &header(), &[note("opening")]).unwrap();
    let t = crate::runtime::demo::epoch();
    j.record(t, None, &note("whole"));
    j.record(t, None, &note("cut"));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text[..text.len() - 9]).unwrap();
    let read = read(&path).unwrap();
    assert!(read.torn);
    assert_eq!(read.entries.len(), 2, "the opening line and the whole one");
    // A line that is whole but wrong is an error naming it.
    std::fs::write(
        &path,
        format!("{}not json\n", &text[..text.find('\n').unwrap() + 1]),
    )
    .unwrap();
    let err = super::read(&path).unwrap_err().to_string();
    assert!(err.contains("line 2"), "{err}");
}

#[test]
fn another_format_is_refused_by_name() {
    let path = temp("format");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "{\"format\":99}\n").unwrap();
    let err = read(&path).unwrap_err().to_string();
    assert!(err.contains("format 99"), "{err}");
}

#[test]
fn a_drills_default_journal_is_named_by_service_and_time() {
    let p = default_path(
        Path::new("/s"),
        "checkout api",
        crate::runtime::demo::epoch(),
    );
    assert_eq!(
        p,
        Path::new("/s/journals/checkout_api-20260314T090000Z.jsonl")
    );
}
