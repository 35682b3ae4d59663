//! What may go into the screen's text fields (a scorecard note, a NO-GO
//! reason), typed a key at a time or pasted.

use super::state::MAX_TYPED;

/// Whether `c` may be typed into a field.
pub fn typable(c: char) -> bool {
    !crate::domain::text::is_unsafe(c)
}

/// What a paste adds to `field`: line breaks and tabs folded into one space,
/// other control and bidi characters dropped, cut to the room left under
/// `MAX_TYPED`. Returns true when the paste was cut.
pub fn insert_pasted(field: &mut String, pasted: &str) -> bool {
    let mut room = MAX_TYPED.saturating_sub(field.chars().count());
    let mut cut = false;
    for c in pasted.chars() {
        let c = match c {
            '\n' | '\r' | '\t' => ' ',
            c if typable(c) => c,
            _ => continue,
        };
        // One space for a run of breaks, and none at the start of a field.
        if c == ' ' && (field.is_empty() || field.ends_with(' ')) {
            continue;
        }
        if room == 0 {
            cut = true;
            break;
        }
        field.push(c);
        room -= 1;
    }
    cut
}

/// Add one typed character to `field`; false when it is refused (not
/// typable, or the field is full).
pub fn insert_typed(field: &mut String, c: char) -> bool {
    if typable(c) && field.chars().count() < MAX_TYPED {
        field.push(c);
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paste_is_plain_text_on_one_line() {
        let mut field = String::from("note:");
        let cut = insert_pasted(
            &mut field,
            " rolled\r\n\r\nback\tin\u{1b}[2J eu\u{202e}-west\u{9b}",
        );
        assert!(!cut);
        assert_eq!(field, "note: rolled back in[2J eu-west");
        let mut empty = String::new();
        insert_pasted(&mut empty, "\n\nfirst line\n");
        assert_eq!(empty, "first line ");
    }

    #[test]
    fn a_paste_stops_at_the_fields_length() {
        let mut field = "x".repeat(MAX_TYPED - 3);
        assert!(insert_pasted(&mut field, "abcdef"));
        assert_eq!(field.chars().count(), MAX_TYPED);
        assert!(field.ends_with("abc"));
        assert!(!insert_typed(&mut field, 'z'));
        let mut field = String::new();
        assert!(!insert_pasted(&mut field, &"é".repeat(MAX_TYPED)));
        assert_eq!(field.chars().count(), MAX_TYPED);
    }

    #[test]
    fn typed_keys_follow_the_same_rule() {
        let mut field = String::new();
        assert!(insert_typed(&mut field, 'a'));
        assert!(!insert_typed(&mut field, '\u{7}'));
        assert!(!insert_typed(&mut field, '\u{202e}'));
        assert_eq!(field, "a");
    }
}
