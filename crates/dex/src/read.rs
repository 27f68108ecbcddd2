//! Bounds-checked little-endian reads and uleb128.
//!
//! Every function returns `None` instead of reading past the slice; offsets
//! are `usize` converted from the input with `try_into` by the caller.

/// Reads a little-endian `u16` at `off`.
#[inline]
pub(crate) fn u16_at(data: &[u8], off: usize) -> Option<u16> {
    data.get(off..)?
        .first_chunk::<2>()
        .map(|b| u16::from_le_bytes(*b))
}

/// Reads a little-endian `u32` at `off`.
#[inline]
pub(crate) fn u32_at(data: &[u8], off: usize) -> Option<u32> {
    data.get(off..)?
        .first_chunk::<4>()
        .map(|b| u32::from_le_bytes(*b))
}

/// Converts a `u32` read from the input to a `usize` offset.
#[inline]
pub(crate) fn us(v: u32) -> usize {
    // Lossless on every target this crate supports (>= 32-bit usize).
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// `u32` → `u64` for anomaly offsets.
#[inline]
pub(crate) fn off64(v: usize) -> Option<u64> {
    u64::try_from(v).ok()
}

/// Longest uleb128 encoding of a 32-bit value (dex spec: "at most 5 bytes").
pub(crate) const MAX_ULEB128_LEN: usize = 5;

/// A forward cursor over a byte slice (rustls `Reader` style).
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(data: &'a [u8], pos: usize) -> Self {
        Self { data, pos }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left after the cursor.
    pub(crate) fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// Reads one byte.
    #[inline]
    pub(crate) fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos = self.pos.checked_add(1)?;
        Some(b)
    }

    /// Reads the next `n` bytes.
    #[inline]
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let bytes = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(bytes)
    }

    /// Decodes one uleb128 value of at most [`MAX_ULEB128_LEN`] bytes.
    ///
    /// Bits beyond 32 in the fifth byte are dropped, as ART's
    /// `DecodeUnsignedLeb128` does. A fifth byte with the continuation bit set
    /// is an error (`None`), as is running off the end.
    #[inline]
    pub(crate) fn uleb128(&mut self) -> Option<u32> {
        let rest = self.data.get(self.pos..)?;
        let mut result: u32 = 0;
        for (i, (&byte, shift)) in rest
            .iter()
            .take(MAX_ULEB128_LEN)
            .zip([0u32, 7, 14, 21, 28])
            .enumerate()
        {
            result |= u32::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                self.pos = self.pos.checked_add(i.checked_add(1)?)?;
                return Some(result);
            }
        }
        None
    }
}

/// Adler-32 (zlib) of `data`, the dex header checksum.
pub(crate) fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    // Largest n with 255*n*(n+1)/2 + (n+1)*(MOD-1) < 2^32: sums cannot overflow.
    const NMAX: usize = 5552;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(NMAX) {
        for &byte in chunk {
            a = a.wrapping_add(u32::from(byte));
            b = b.wrapping_add(a);
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads() {
        let d = [1u8, 2, 3, 4, 5];
        assert_eq!(u16_at(&d, 0), Some(0x0201));
        assert_eq!(u16_at(&d, 4), None);
        assert_eq!(u32_at(&d, 1), Some(0x0504_0302));
        assert_eq!(u32_at(&d, 2), None);
        assert_eq!(u32_at(&d, usize::MAX), None);
    }

    #[test]
    fn uleb() {
        let cases: &[(&[u8], Option<u32>, usize)] = &[
            (&[0x00], Some(0), 1),
            (&[0x01], Some(1), 1),
            (&[0x7f], Some(127), 1),
            (&[0x80, 0x7f], Some(16256), 2),
            (&[0xb4, 0x07], Some(0x3b4), 2),
            (&[0xff, 0xff, 0xff, 0xff, 0x0f], Some(u32::MAX), 5),
            (&[0xff, 0xff, 0xff, 0xff, 0x7f], Some(u32::MAX), 5),
            (&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00], None, 0),
            (&[0x80], None, 0),
            (&[], None, 0),
        ];
        for (bytes, want, len) in cases {
            let mut c = Cursor::new(bytes, 0);
            assert_eq!(c.uleb128(), *want, "{bytes:02x?}");
            assert_eq!(c.pos(), *len);
        }
    }

    #[test]
    fn adler() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
        let big = vec![0xffu8; 100_000];
        // Reference computed bytewise with u64 arithmetic.
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &big {
            a = (a + u64::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        assert_eq!(u64::from(adler32(&big)), (b << 16) | a);
    }
}
