//! Initial values of a class's static fields: the `encoded_array_item` at the class
//! definition's `static_values_off` (dex format, "`encoded_value` encoding"). A
//! `static final String VERSION = "1.2.3"` is compiled to an entry here, not to a
//! `<clinit>` store.
//!
//! Only what a reader of constants needs is decoded (integers and string ids); every other
//! value is skipped by its encoded length. Nested arrays and annotations are walked with an
//! explicit stack, never by recursion, and every read is bounds-checked, so no input makes
//! it panic or loop: each value consumes at least one byte.

use crate::read::{Cursor, us};

/// Deepest nesting of arrays and annotations followed inside one value; deeper input ends
/// the list (ART's verifier has no such limit, but no compiler emits more than a few).
const MAX_NESTING: usize = 32;

/// A static field's initial value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaticValue {
    /// `VALUE_BYTE`, `VALUE_SHORT`, `VALUE_CHAR`, `VALUE_INT`, `VALUE_LONG` or
    /// `VALUE_BOOLEAN`, sign-extended (`char` zero-extended).
    Int(i64),
    /// `VALUE_STRING`: a string id.
    Str(u32),
    /// `VALUE_NULL`.
    Null,
    /// Any other kind (float, double, type, field, method, enum, array, annotation …).
    Other,
}

/// Decodes up to `want` values of the `encoded_array_item` at `off` (0: none). The list
/// stops early at the first malformed value: the values before it are still correct.
pub(crate) fn decode(data: &[u8], off: u32, want: usize) -> Vec<StaticValue> {
    if off == 0 || want == 0 {
        return Vec::new();
    }
    let mut cur = Cursor::new(data, us(off));
    let Some(size) = cur.uleb128() else {
        return Vec::new();
    };
    let n = us(size).min(want).min(cur.remaining());
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        match value(&mut cur) {
            Some(v) => out.push(v),
            None => break,
        }
    }
    out
}

/// One `encoded_value` at the cursor, nested values skipped.
fn value(cur: &mut Cursor<'_>) -> Option<StaticValue> {
    // Frames of the arrays and annotations being skipped: values left, and whether each is
    // preceded by an element name (annotation elements).
    let mut stack: Vec<(u32, bool)> = Vec::new();
    let top = one(cur, &mut stack)?;
    while let Some(frame) = stack.last_mut() {
        if frame.0 == 0 {
            stack.pop();
            continue;
        }
        frame.0 = frame.0.saturating_sub(1);
        if frame.1 {
            cur.uleb128()?;
        }
        one(cur, &mut stack)?;
    }
    Some(top)
}

/// Reads one value's header and data; an array or annotation pushes its elements on `stack`.
fn one(cur: &mut Cursor<'_>, stack: &mut Vec<(u32, bool)>) -> Option<StaticValue> {
    let header = cur.byte()?;
    let (arg, kind) = (header >> 5, header & 0x1f);
    let width = usize::from(arg) + 1;
    Some(match kind {
        // byte, short, char, int, long: signed little-endian (char unsigned)
        0x00 | 0x02 | 0x04 | 0x06 => StaticValue::Int(signed(cur.take(width)?)),
        0x03 => StaticValue::Int(i64::try_from(unsigned(cur.take(width)?)).ok()?),
        0x17 => StaticValue::Str(u32::try_from(unsigned(cur.take(width)?)).ok()?),
        // float, double, method type, method handle, type, field, method, enum
        0x10 | 0x11 | 0x15 | 0x16 | 0x18..=0x1b => {
            cur.take(width)?;
            StaticValue::Other
        }
        0x1c | 0x1d => {
            if kind == 0x1d {
                cur.uleb128()?; // the annotation's type
            }
            let size = cur.uleb128()?;
            if stack.len() >= MAX_NESTING {
                return None;
            }
            stack.push((size, kind == 0x1d));
            StaticValue::Other
        }
        0x1e => StaticValue::Null,
        0x1f => StaticValue::Int(i64::from(arg & 1)),
        _ => return None,
    })
}

/// Little-endian bytes (at most 8), zero-extended.
fn unsigned(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// Little-endian bytes (at most 8), sign-extended from the last byte.
fn signed(bytes: &[u8]) -> i64 {
    let raw = unsigned(bytes);
    let negative = bytes.last().is_some_and(|b| b & 0x80 != 0);
    // Fill the bytes above the value with the sign.
    let fill = u64::MAX.checked_shl(u32::try_from(bytes.len()).unwrap_or(8).saturating_mul(8));
    let extended = match fill {
        Some(fill) if negative => raw | fill,
        _ => raw,
    };
    i64::from_ne_bytes(extended.to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_ints_strings_and_skips_the_rest() {
        // 5 values: int -1 (1 byte), string id 0x0102 (2 bytes), an array of [int 7, an
        // annotation (type 3, one element name 4 = null)], boolean true, null.
        let data = [
            0u8, // padding: offset 0 means "none"
            5, 0x04, 0xff, 0x37, 0x02, 0x01, 0x1c, 2, 0x04, 7, 0x1d, 3, 1, 4, 0x1e, 0x3f, 0x1e,
        ];
        let values = decode(&data, 1, 10);
        assert_eq!(
            values,
            [
                StaticValue::Int(-1),
                StaticValue::Str(0x0102),
                StaticValue::Other,
                StaticValue::Int(1),
                StaticValue::Null,
            ]
        );
        assert_eq!(decode(&data, 1, 2).len(), 2);
        assert!(decode(&data, 0, 10).is_empty());
    }

    #[test]
    fn stops_at_malformed_input() {
        // Truncated string, an unknown kind, an array claiming more than the input holds,
        // nesting past the limit.
        assert!(decode(&[0, 1, 0x37, 0x02], 1, 5).is_empty());
        assert_eq!(decode(&[0, 2, 0x04, 1, 0x05], 1, 5), [StaticValue::Int(1)]);
        assert!(decode(&[0, 1, 0x1c, 0xff, 0xff, 0xff, 0xff, 0x0f], 1, 5).is_empty());
        let mut deep = vec![0u8, 1];
        for _ in 0..100 {
            deep.extend([0x1c, 1]);
        }
        deep.push(0x1e);
        assert!(decode(&deep, 1, 5).is_empty());
        let mut ok = vec![0u8, 1];
        for _ in 0..10 {
            ok.extend([0x1c, 1]);
        }
        ok.push(0x1e);
        assert_eq!(decode(&ok, 1, 5), [StaticValue::Other]);
    }
}
