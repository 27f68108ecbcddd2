//! Bounds-checked little-endian readers over untrusted bytes.

/// Returns `len` bytes at `off`, or `None` when they are not all there.
pub(crate) fn slice(data: &[u8], off: usize, len: usize) -> Option<&[u8]> {
    data.get(off..)?.get(..len)
}

/// Reads a little-endian `u16` at `off`.
pub(crate) fn le16(data: &[u8], off: usize) -> Option<u16> {
    slice(data, off, 2)?.try_into().ok().map(u16::from_le_bytes)
}

/// Reads a little-endian `u32` at `off`.
pub(crate) fn le32(data: &[u8], off: usize) -> Option<u32> {
    slice(data, off, 4)?.try_into().ok().map(u32::from_le_bytes)
}

/// Reads a little-endian `u64` at `off`.
pub(crate) fn le64(data: &[u8], off: usize) -> Option<u64> {
    slice(data, off, 8)?.try_into().ok().map(u64::from_le_bytes)
}

/// `a + b` as a file offset, `None` on overflow.
pub(crate) fn add(a: usize, b: usize) -> Option<usize> {
    a.checked_add(b)
}

/// Converts an offset to `u64` (lossless on every supported target).
pub(crate) fn u64_of(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Converts an untrusted `u64` offset or size to `usize`.
pub(crate) fn usize_of(n: u64) -> Option<usize> {
    usize::try_from(n).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_are_bounds_checked() {
        let d = [1u8, 2, 3, 4];
        assert_eq!(le16(&d, 2), Some(0x0403));
        assert_eq!(le16(&d, 3), None);
        assert_eq!(le32(&d, usize::MAX), None);
        assert_eq!(le64(&d, 0), None);
        assert_eq!(slice(&d, 4, 0), Some(&[][..]));
        assert_eq!(slice(&d, 5, 0), None);
    }
}
