//! Little-endian reads that cannot panic or overflow.

/// Reads a little-endian `u16` at `off`, or `None` past the end.
pub(crate) fn u16_at(d: &[u8], off: usize) -> Option<u16> {
    let b = d.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes(b.try_into().ok()?))
}

/// Reads a little-endian `u32` at `off`, or `None` past the end.
pub(crate) fn u32_at(d: &[u8], off: usize) -> Option<u32> {
    let b = d.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

/// Reads one byte at `off`.
pub(crate) fn u8_at(d: &[u8], off: usize) -> Option<u8> {
    d.get(off).copied()
}

/// `usize` → `u64` for offsets (lossless on every supported target).
pub(crate) fn off64(x: usize) -> u64 {
    u64::try_from(x).unwrap_or(u64::MAX)
}

/// `u32` → `usize` (lossless on 32/64-bit targets; saturates otherwise).
pub(crate) fn us(x: u32) -> usize {
    usize::try_from(x).unwrap_or(usize::MAX)
}

/// `ResChunk_header`: `{ u16 type; u16 headerSize; u32 size; }`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChunkHeader {
    pub(crate) ty: u16,
    pub(crate) header_size: u16,
    pub(crate) size: u32,
}

/// Size of `ResChunk_header`.
pub(crate) const CHUNK_HEADER_LEN: usize = 8;

impl ChunkHeader {
    /// Reads the file's first chunk header. A type other than `expected` is tolerated, as
    /// Android tolerates it, and recorded as `bad_magic`; only a buffer too short for `needed`
    /// bytes is an error.
    pub(crate) fn read_first(
        d: &[u8],
        expected: u16,
        what: &'static str,
        needed: usize,
        anomalies: &mut Vec<crate::Anomaly>,
    ) -> crate::Result<Self> {
        let hdr = Self::read(d, 0).ok_or(crate::Error::TooShort {
            what,
            needed,
            len: d.len(),
        })?;
        if hdr.ty != expected {
            anomalies.push(crate::Anomaly::new(
                crate::codes::BAD_MAGIC,
                Some(0),
                format!("first chunk type {:#06x}, expected {expected:#06x}", hdr.ty),
            ));
        }
        Ok(hdr)
    }

    /// Reads a chunk header at `off`.
    pub(crate) fn read(d: &[u8], off: usize) -> Option<Self> {
        Some(ChunkHeader {
            ty: u16_at(d, off)?,
            header_size: u16_at(d, off.checked_add(2)?)?,
            size: u32_at(d, off.checked_add(4)?)?,
        })
    }
}
