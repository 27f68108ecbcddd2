//! Modified UTF-8 (MUTF-8), the string encoding of dex files.
//!
//! MUTF-8 differs from UTF-8 in two ways: U+0000 is written `C0 80`, and a
//! supplementary character is written as its UTF-16 surrogate pair, each
//! surrogate as a 3-byte sequence (6 bytes in all). Everything else is
//! byte-identical, so plain UTF-8 input is returned borrowed.

use std::borrow::Cow;

/// Decodes MUTF-8 bytes (without the terminating NUL).
///
/// Returns the input borrowed when it is valid UTF-8 (the common case: plain
/// ASCII identifiers). Otherwise decodes `C0 80` to U+0000, joins surrogate
/// pairs, and replaces every invalid or truncated sequence and every lone
/// surrogate with U+FFFD. Standard 4-byte UTF-8 sequences, which MUTF-8 does
/// not use, are accepted as the character they encode. Never panics.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(decode_slow(bytes)),
    }
}

fn decode_slow(bytes: &[u8]) -> String {
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some((&b0, tail)) = rest.split_first() {
        rest = tail;
        if b0 < 0x80 {
            units.push(u16::from(b0));
            continue;
        }
        // Continuation byte at `i` of `rest`, if it is one.
        let cont = |r: &[u8], i: usize| r.get(i).copied().filter(|b| b & 0xc0 == 0x80);
        if b0 & 0xe0 == 0xc0 {
            if let Some(b1) = cont(rest, 0) {
                rest = rest.get(1..).unwrap_or_default();
                units.push((u16::from(b0 & 0x1f) << 6) | u16::from(b1 & 0x3f));
                continue;
            }
        } else if b0 & 0xf0 == 0xe0 {
            if let (Some(b1), Some(b2)) = (cont(rest, 0), cont(rest, 1)) {
                rest = rest.get(2..).unwrap_or_default();
                units.push(
                    (u16::from(b0 & 0x0f) << 12)
                        | (u16::from(b1 & 0x3f) << 6)
                        | u16::from(b2 & 0x3f),
                );
                continue;
            }
        } else if b0 & 0xf8 == 0xf0
            && let (Some(b1), Some(b2), Some(b3)) = (cont(rest, 0), cont(rest, 1), cont(rest, 2))
        {
            rest = rest.get(3..).unwrap_or_default();
            let c = (u32::from(b0 & 0x07) << 18)
                | (u32::from(b1 & 0x3f) << 12)
                | (u32::from(b2 & 0x3f) << 6)
                | u32::from(b3 & 0x3f);
            let ch = char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER);
            let mut buf = [0u16; 2];
            units.extend_from_slice(ch.encode_utf16(&mut buf));
            continue;
        }
        // Invalid lead byte or truncated sequence: one replacement, resync at
        // the next byte.
        units.push(0xfffd);
    }
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Encodes a `str` to MUTF-8 (for lookups by bytes).
pub(crate) fn encode(s: &str) -> Cow<'_, [u8]> {
    if s.bytes().all(|b| b != 0) && s.chars().all(|c| u32::from(c) < 0x1_0000) {
        return Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len().saturating_add(8));
    for ch in s.chars() {
        if ch == '\0' {
            out.extend_from_slice(&[0xc0, 0x80]);
        } else if u32::from(ch) < 0x1_0000 {
            let mut buf = [0u8; 4];
            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        } else {
            let mut buf = [0u16; 2];
            for &u in ch.encode_utf16(&mut buf).iter() {
                // 3-byte form of a surrogate (U+D800..U+DFFF).
                out.extend_from_slice(&[
                    0xe0 | u8::try_from(u >> 12).unwrap_or(0),
                    0x80 | u8::try_from((u >> 6) & 0x3f).unwrap_or(0),
                    0x80 | u8::try_from(u & 0x3f).unwrap_or(0),
                ]);
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_borrowed() {
        assert!(matches!(
            decode(b"Ljava/lang/Object;"),
            Cow::Borrowed("Ljava/lang/Object;")
        ));
        assert!(matches!(
            decode("héllo €".as_bytes()),
            Cow::Borrowed("héllo €")
        ));
    }

    #[test]
    fn modified_null() {
        assert_eq!(decode(&[b'a', 0xc0, 0x80, b'b']), "a\0b");
    }

    #[test]
    fn surrogate_pair() {
        // U+1F600 = D83D DE00
        let bytes = [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80];
        assert_eq!(decode(&bytes), "\u{1F600}");
        assert_eq!(encode("\u{1F600}").as_ref(), &bytes);
        assert_eq!(encode("a\0").as_ref(), &[b'a', 0xc0, 0x80]);
        assert!(matches!(encode("abc"), Cow::Borrowed(_)));
    }

    #[test]
    fn lone_surrogate_and_garbage() {
        assert_eq!(decode(&[0xed, 0xa0, 0xbd, b'x']), "\u{FFFD}x");
        assert_eq!(decode(&[0xff, b'a']), "\u{FFFD}a");
        assert_eq!(decode(&[0xe4, 0xb8]), "\u{FFFD}\u{FFFD}");
        assert_eq!(decode(&[0xc3]), "\u{FFFD}");
        assert_eq!(decode(&[0x80, 0x80]), "\u{FFFD}\u{FFFD}");
        // 4-byte UTF-8 mixed with a modified null.
        assert_eq!(decode(&[0xf0, 0x9f, 0x98, 0x80, 0xc0, 0x80]), "\u{1F600}\0");
    }

    #[test]
    fn never_panics_on_all_short_sequences() {
        for a in 0..=255u8 {
            for b in [0x00, 0x80, 0xbf, 0xc0, 0xed, 0xff] {
                let _ = decode(&[a, b]);
                let _ = decode(&[a, b, 0x80]);
                let _ = decode(&[0xed, a, b]);
            }
        }
    }
}
