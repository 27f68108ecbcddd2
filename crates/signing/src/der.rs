//! A small, bounds-checked BER/DER walker: just enough for PKCS#7
//! `SignedData` (RFC 2315 / RFC 5652) as found in `META-INF/*.RSA`.
//!
//! jarsigner and apksig write DER; some old signers wrote BER with
//! indefinite lengths, which Android's own `Asn1BerParser` accepts, so
//! indefinite lengths are followed here too (depth-capped).

/// Deepest nesting followed through indefinite-length encodings.
const MAX_DEPTH: u32 = 32;
/// Longest OID (in content bytes) decoded to a dotted string.
const MAX_OID_LEN: usize = 64;

/// Universal and context tags used by the walker.
pub(crate) mod tag {
    pub(crate) const INTEGER: u8 = 0x02;
    pub(crate) const OID: u8 = 0x06;
    pub(crate) const SEQUENCE: u8 = 0x30;
    pub(crate) const SET: u8 = 0x31;
    pub(crate) const CONTEXT_0: u8 = 0xa0;
    pub(crate) const CONTEXT_1: u8 = 0xa1;
}

/// One tag-length-value element.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    /// The content bytes.
    pub(crate) content: &'a [u8],
    /// The whole element: header, content and (for BER) end-of-contents.
    pub(crate) raw: &'a [u8],
    /// Offset of the element within the walked buffer.
    pub(crate) offset: usize,
    /// Whether the length was indefinite (BER, not DER).
    pub(crate) indefinite: bool,
}

/// Reads the element at `pos` of `data`.
pub(crate) fn read(data: &[u8], pos: usize) -> Option<Tlv<'_>> {
    read_depth(data, pos, 0)
}

fn read_depth(data: &[u8], pos: usize, depth: u32) -> Option<Tlv<'_>> {
    if depth > MAX_DEPTH {
        return None;
    }
    let tag = *data.get(pos)?;
    // High tag numbers (0x1f) never occur in the structures read here.
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *data.get(pos.checked_add(1)?)?;
    let mut hdr = pos.checked_add(2)?;
    let len = match first {
        0x80 => None,
        0..=0x7f => Some(usize::from(first)),
        _ => {
            let n = usize::from(first & 0x7f);
            if n > 4 {
                return None;
            }
            let bytes = data.get(hdr..hdr.checked_add(n)?)?;
            hdr = hdr.checked_add(n)?;
            let mut len: usize = 0;
            for b in bytes {
                len = len.checked_mul(256)?.checked_add(usize::from(*b))?;
            }
            Some(len)
        }
    };
    let Some(len) = len else {
        return indefinite(data, pos, tag, hdr, depth);
    };
    let end = hdr.checked_add(len)?;
    Some(Tlv {
        tag,
        content: data.get(hdr..end)?,
        raw: data.get(pos..end)?,
        offset: pos,
        indefinite: false,
    })
}

/// An indefinite-length element whose content starts at `hdr`: children
/// up to the end-of-contents octets.
fn indefinite(data: &[u8], pos: usize, tag: u8, hdr: usize, depth: u32) -> Option<Tlv<'_>> {
    // Only constructed encodings may use an indefinite length.
    if tag & 0x20 == 0 {
        return None;
    }
    let mut at = hdr;
    loop {
        if data.get(at..at.checked_add(2)?)? == [0, 0] {
            let end = at.checked_add(2)?;
            return Some(Tlv {
                tag,
                content: data.get(hdr..at)?,
                raw: data.get(pos..end)?,
                offset: pos,
                indefinite: true,
            });
        }
        let child = read_depth(data, at, depth.checked_add(1)?)?;
        at = at.checked_add(child.raw.len())?;
    }
}

/// Iterates over the elements of a constructed element's content.
pub(crate) struct Children<'a> {
    data: &'a [u8],
    pos: usize,
    /// Offset of `data` in the walked buffer.
    base: usize,
    /// Set when an element could not be read (the rest is skipped).
    pub(crate) broken: bool,
}

impl<'a> Children<'a> {
    pub(crate) fn of(tlv: &Tlv<'a>) -> Self {
        let base = tlv
            .offset
            .saturating_add(tlv.raw.len().saturating_sub(tlv.content.len()));
        Children {
            data: tlv.content,
            pos: 0,
            base,
            broken: false,
        }
    }
}

impl<'a> Iterator for Children<'a> {
    type Item = Tlv<'a>;
    fn next(&mut self) -> Option<Tlv<'a>> {
        if self.broken || self.pos >= self.data.len() {
            return None;
        }
        let Some(mut tlv) = read(self.data, self.pos) else {
            self.broken = true;
            return None;
        };
        self.pos = self.pos.saturating_add(tlv.raw.len());
        tlv.offset = tlv.offset.saturating_add(self.base);
        Some(tlv)
    }
}

/// Decodes OID content bytes to a dotted string (`None` if malformed).
pub(crate) fn oid_string(content: &[u8]) -> Option<String> {
    if content.is_empty() || content.len() > MAX_OID_LEN {
        return None;
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for (i, b) in content.iter().enumerate() {
        value = value.checked_mul(128)?.checked_add(u64::from(b & 0x7f))?;
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value.checked_sub(first.checked_mul(40)?)?);
            } else {
                arcs.push(value);
            }
            value = 0;
        } else if i.checked_add(1) == Some(content.len()) {
            return None;
        }
    }
    Some(
        arcs.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_definite_and_indefinite() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        let t = read(&der, 0).unwrap();
        assert_eq!(t.content, &der[2..]);
        let ber = [0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00];
        let t = read(&ber, 0).unwrap();
        assert!(t.indefinite);
        assert_eq!(t.content, &[0x02, 0x01, 0x05]);
        assert_eq!(t.raw.len(), 7);
        assert!(read(&[0x30, 0x85, 1, 1, 1, 1, 1], 0).is_none());
        assert!(read(&[0x30, 0x05, 0x00], 0).is_none());
    }

    #[test]
    fn decodes_oids() {
        assert_eq!(
            oid_string(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]).as_deref(),
            Some("1.2.840.113549.1.7.2")
        );
        assert_eq!(oid_string(&[0x2a, 0x86]), None);
    }

    #[test]
    fn deep_indefinite_nesting_is_bounded() {
        let mut v = Vec::new();
        for _ in 0..100 {
            v.extend_from_slice(&[0x30, 0x80]);
        }
        assert!(read(&v, 0).is_none());
    }
}
