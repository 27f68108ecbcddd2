//! The APK Signing Block (v2+ signatures and friends).
//!
//! Layout, right before the central directory (AOSP apksig
//! `ApkSigningBlockUtils.findApkSigningBlock`):
//!
//! ```text
//! u64 size_of_block   (excludes this field)
//! repeated: u64 pair_len, u32 id, [u8; pair_len - 4] value
//! u64 size_of_block   (same value)
//! [u8; 16] "APK Sig Block 42"
//! ```

use crate::anomaly::{Collector, codes};
use crate::bytes::{le32, le64, slice, u64_of, usize_of};

/// Magic at the end of the signing block.
pub const APK_SIG_BLOCK_MAGIC: &[u8; 16] = b"APK Sig Block 42";
/// Footer: size field (8) + magic (16).
const FOOTER_LEN: usize = 24;
/// At most this many id-value pairs are listed.
pub const MAX_SIGNING_BLOCK_PAIRS: usize = 4096;

/// Known pair ids and their names (AOSP apksig and common tools).
pub const KNOWN_IDS: &[(u32, &str)] = &[
    (0x7109_871a, "apk_signature_scheme_v2"),
    (0xf053_68c0, "apk_signature_scheme_v3"),
    (0x1b93_ad61, "apk_signature_scheme_v3_1"),
    (0x4272_6577, "verity_padding"),
    (0x6dff_800d, "source_stamp_v2"),
    (0x2b09_189e, "source_stamp_v1"),
    (0x504b_4453, "dependency_info"),
    (0x2146_444e, "google_play_frosting"),
    (0x7177_7777, "meituan_walle_channel"),
    (0x8811_55ff, "vasdolly_channel"),
];

/// The name of a known signing block pair id.
pub fn pair_name(id: u32) -> Option<&'static str> {
    KNOWN_IDS.iter().find(|(k, _)| *k == id).map(|(_, n)| *n)
}

/// The APK Signing Block: where it is and which id-value pairs it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningBlock {
    /// Offset of the block's first size field.
    pub offset: u64,
    /// Total size in bytes, both size fields and the magic included.
    pub size: u64,
    /// The id-value pairs in block order.
    pub pairs: Vec<SigningBlockPair>,
}

/// One id-value pair of the [`SigningBlock`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningBlockPair {
    /// Pair id.
    pub id: u32,
    /// Name of a known id (see [`KNOWN_IDS`]).
    pub name: Option<&'static str>,
    /// Offset of the value (after the id).
    pub offset: u64,
    /// Size of the value.
    pub size: u64,
}

impl SigningBlock {
    /// The first pair with this id.
    pub fn pair(&self, id: u32) -> Option<&SigningBlockPair> {
        self.pairs.iter().find(|p| p.id == id)
    }
}

/// Finds the signing block ending at `cd_start`. Returns `None` when
/// there is no magic; a malformed block is reported and, where possible,
/// still returned with the pairs that parsed.
pub(crate) fn parse(data: &[u8], cd_start: usize, out: &mut Collector) -> Option<SigningBlock> {
    let footer = cd_start.checked_sub(FOOTER_LEN)?;
    let magic_at = cd_start.checked_sub(16)?;
    if slice(data, magic_at, 16)? != APK_SIG_BLOCK_MAGIC {
        return None;
    }
    let footer_size = le64(data, footer)?;
    let bad = |out: &mut Collector, off: usize, detail: String| {
        out.push(
            codes::SIGNING_BLOCK_MALFORMED,
            Some(u64_of(off)),
            None,
            detail,
        );
    };
    // size_of_block counts the pairs, the second size field and the magic.
    let start = usize_of(footer_size)
        .filter(|s| *s >= FOOTER_LEN)
        .and_then(|s| s.checked_add(8))
        .and_then(|total| cd_start.checked_sub(total));
    let Some(start) = start else {
        bad(
            out,
            footer,
            format!(
                "footer size {footer_size} does not fit before the central directory at \
                 {cd_start}"
            ),
        );
        return None;
    };
    let header_size = le64(data, start)?;
    if header_size != footer_size {
        bad(
            out,
            start,
            format!("size fields disagree: header {header_size}, footer {footer_size}"),
        );
    }
    let mut pairs = Vec::new();
    let mut pos = start.checked_add(8)?;
    while pos < footer {
        let remaining = footer.saturating_sub(pos);
        if pairs.len() >= MAX_SIGNING_BLOCK_PAIRS {
            bad(
                out,
                pos,
                format!("more than {MAX_SIGNING_BLOCK_PAIRS} pairs; rest not listed"),
            );
            break;
        }
        let Some(len) = le64(data, pos).filter(|_| remaining >= 8) else {
            bad(
                out,
                pos,
                format!("{remaining} trailing bytes after the last pair"),
            );
            break;
        };
        let fits = usize_of(len).filter(|l| *l >= 4 && *l <= remaining.saturating_sub(8));
        let (Some(len), Some(id)) = (fits, le32(data, pos.saturating_add(8))) else {
            bad(
                out,
                pos,
                format!("pair length {len} is below 4 or runs past the block ({remaining} left)"),
            );
            break;
        };
        pairs.push(SigningBlockPair {
            id,
            name: pair_name(id),
            offset: u64_of(pos.saturating_add(12)),
            size: u64_of(len.saturating_sub(4)),
        });
        // len <= remaining - 8, so this stays <= footer.
        pos = pos.saturating_add(8).saturating_add(len);
    }
    Some(SigningBlock {
        offset: u64_of(start),
        size: u64_of(cd_start.saturating_sub(start)),
        pairs,
    })
}
