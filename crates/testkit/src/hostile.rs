//! Generators of hostile inputs: what an attacker uploads to an app store to take down the
//! scanner rather than to hide from it. Each generator is small, deterministic and builds its
//! bytes here (no copies of anyone's files): dex files whose tables share or overlap one huge
//! `type_list`, zip bombs of any declared size built without inflating them, nested archives of
//! bombs, central directories whose records share one local header, and archives of many
//! entries.

use crate::axml::{ANDROID_NS, Attr, AttrValue, AxmlBuilder};
use crate::dex::fix_checksums;
use crate::zip::{Precompressed, ZipBuilder, ZipEntry};

/// The dex magic of version 035.
const DEX_MAGIC_035: &[u8; 8] = b"dex\n035\0";
const HEADER_SIZE: usize = 0x70;
const ENDIAN_CONSTANT: u32 = 0x1234_5678;
const NO_INDEX: u32 = u32::MAX;

/// A minimal binary manifest for package `package`, with an `<application>`.
pub fn manifest(package: &str) -> Vec<u8> {
    AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![Attr::plain("package", AttrValue::str(package))],
        )
        .start("application", vec![])
        .end("application")
        .end("manifest")
        .end_ns("android", ANDROID_NS)
        .build()
}

/// An APK: a minimal manifest (package `com.example.hostile`) followed by `entries`.
pub fn apk(entries: Vec<ZipEntry>) -> Vec<u8> {
    let mut zip =
        ZipBuilder::new().deflated("AndroidManifest.xml", manifest("com.example.hostile"));
    for entry in entries {
        zip = zip.entry(entry);
    }
    zip.build()
}

/// Where the id tables of a raw dex go.
struct RawDex {
    bytes: Vec<u8>,
}

impl RawDex {
    fn new() -> Self {
        Self {
            bytes: vec![0u8; HEADER_SIZE],
        }
    }

    fn offset(&self) -> u32 {
        u32::try_from(self.bytes.len()).unwrap_or(u32::MAX)
    }

    fn put32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    fn align4(&mut self) {
        while !self.bytes.len().is_multiple_of(4) {
            self.bytes.push(0);
        }
    }

    fn set32(&mut self, at: usize, v: u32) {
        if let Some(slot) = self.bytes.get_mut(at..at + 4) {
            slot.copy_from_slice(&v.to_le_bytes());
        }
    }

    /// Fills the header and the checksums.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        mut self,
        strings: (u32, u32),
        types: (u32, u32),
        protos: (u32, u32),
        classes: (u32, u32),
        data_off: u32,
    ) -> Vec<u8> {
        let file_size = self.offset();
        if let Some(magic) = self.bytes.get_mut(..8) {
            magic.copy_from_slice(DEX_MAGIC_035);
        }
        self.set32(0x20, file_size);
        self.set32(0x24, u32::try_from(HEADER_SIZE).unwrap_or(0));
        self.set32(0x28, ENDIAN_CONSTANT);
        self.set32(0x38, strings.0);
        self.set32(0x3c, strings.1);
        self.set32(0x40, types.0);
        self.set32(0x44, types.1);
        self.set32(0x48, protos.0);
        self.set32(0x4c, protos.1);
        self.set32(0x60, classes.0);
        self.set32(0x64, classes.1);
        self.set32(0x68, file_size.saturating_sub(data_off));
        self.set32(0x6c, data_off);
        fix_checksums(&mut self.bytes);
        self.bytes
    }
}

/// A dex whose `protos` proto ids and `classes` class defs all point at one `type_list` of
/// `list_len` entries: a few hundred KB that a reader copying each user's list would expand to
/// `(protos + classes) × list_len` entries (65,535 × 65,535 × 4 bytes = 17 GiB).
pub fn shared_type_list_dex(protos: u32, classes: u32, list_len: u32) -> Vec<u8> {
    let mut dex = RawDex::new();
    let string_ids = dex.offset();
    dex.put32(0); // patched below: the one string's data offset
    let type_ids = dex.offset();
    dex.put32(0); // type 0 = string 0
    let proto_ids = dex.offset();
    let list_at = proto_ids
        .saturating_add(protos.saturating_mul(12))
        .saturating_add(classes.saturating_mul(32));
    for _ in 0..protos {
        dex.put32(0); // shorty
        dex.put32(0); // return type
        dex.put32(list_at);
    }
    let class_defs = dex.offset();
    for _ in 0..classes {
        dex.put32(0); // class_idx
        dex.put32(1); // ACC_PUBLIC
        dex.put32(NO_INDEX); // superclass
        dex.put32(list_at); // interfaces
        dex.put32(NO_INDEX); // source file
        dex.put32(0); // annotations
        dex.put32(0); // class data
        dex.put32(0); // static values
    }
    let data_off = dex.offset();
    dex.put32(list_len);
    for _ in 0..list_len {
        dex.bytes.extend_from_slice(&0u16.to_le_bytes());
    }
    dex.align4();
    let string_data = dex.offset();
    dex.bytes.extend_from_slice(&[3, b'L', b'A', b';', 0]);
    dex.set32(usize::try_from(string_ids).unwrap_or(0), string_data);
    dex.finish(
        (1, string_ids),
        (1, type_ids),
        (protos, proto_ids),
        (classes, class_defs),
        data_off,
    )
}

/// A dex whose `protos` proto ids point at `protos` distinct offsets 4 bytes apart inside one
/// region whose every word reads as a `type_list` of `list_len` entries: no two protos share a
/// list, yet the lists overlap, so copying them all costs `protos × list_len` entries.
pub fn overlapping_type_lists_dex(protos: u32, list_len: u16) -> Vec<u8> {
    let mut dex = RawDex::new();
    let string_ids = dex.offset();
    dex.put32(0);
    let type_ids = dex.offset();
    dex.put32(0);
    let proto_ids = dex.offset();
    let region = proto_ids.saturating_add(protos.saturating_mul(12));
    for k in 0..protos {
        dex.put32(0);
        dex.put32(0);
        dex.put32(region.saturating_add(k.saturating_mul(4)));
    }
    let data_off = dex.offset();
    // Every aligned word is `list_len` as a u32 (low half `list_len`, high half 0); read as
    // entries, the same words are type indices `list_len` and 0.
    let words = u64::from(protos) + u64::from(list_len) / 2 + 2;
    for _ in 0..words {
        dex.bytes
            .extend_from_slice(&u32::from(list_len).to_le_bytes());
    }
    let string_data = dex.offset();
    dex.bytes.extend_from_slice(&[3, b'L', b'A', b';', 0]);
    dex.set32(usize::try_from(string_ids).unwrap_or(0), string_data);
    dex.finish(
        (1, string_ids),
        (1, type_ids),
        (protos, proto_ids),
        (0, 0),
        data_off,
    )
}

/// Writes bits least-significant first, as deflate does.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    len: u32,
}

impl Bits {
    fn new() -> Self {
        Self {
            out: Vec::new(),
            acc: 0,
            len: 0,
        }
    }

    /// Appends the `count` low bits of `value`, least significant first.
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.len;
        self.len += count;
        while self.len >= 8 {
            self.out.push((self.acc & 0xff) as u8);
            self.acc >>= 8;
            self.len -= 8;
        }
    }

    /// Appends a Huffman code of `count` bits, most significant bit first.
    fn code(&mut self, code: u32, count: u32) {
        let reversed = code.reverse_bits() >> (32 - count);
        self.put(reversed, count);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.len > 0 {
            self.out.push((self.acc & 0xff) as u8);
        }
        self.out
    }
}

/// A literal byte in deflate's fixed Huffman code.
fn fixed_literal(bits: &mut Bits, byte: u8) {
    if byte < 144 {
        bits.code(0x30 + u32::from(byte), 8);
    } else {
        bits.code(0x190 + u32::from(byte) - 144, 9);
    }
}

/// A raw deflate stream of `prefix` followed by zeros, `total` bytes in all (at least the
/// prefix), built directly: one fixed-Huffman block of literals and 258-byte copies, 13 bits
/// per 258 bytes (a 1 GiB bomb is 6.6 MB), with the CRC-32 of what it inflates to.
pub fn deflate_zeros(prefix: &[u8], total: u64) -> Precompressed {
    let mut bits = Bits::new();
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE = 01, fixed Huffman
    for &b in prefix {
        fixed_literal(&mut bits, b);
    }
    let prefix_len = prefix.len() as u64;
    let mut left = total.saturating_sub(prefix_len);
    if left > 0 && prefix.last() != Some(&0) {
        fixed_literal(&mut bits, 0);
        left -= 1;
    }
    while left >= 258 {
        bits.code(0xc5, 8); // length code 285: 258 bytes
        bits.code(0, 5); // distance code 0: one byte back
        left -= 258;
    }
    for _ in 0..left {
        fixed_literal(&mut bits, 0);
    }
    bits.code(0, 7); // end of block (256)
    Precompressed {
        stream: bits.finish(),
        uncompressed_size: total.max(prefix_len),
        crc32: crc_of_prefix_and_zeros(prefix, total.saturating_sub(prefix_len)),
    }
}

/// CRC-32 of `prefix` followed by `zeros` zero bytes, by combining CRCs of doubling runs.
fn crc_of_prefix_and_zeros(prefix: &[u8], zeros: u64) -> u32 {
    let mut total = crc32fast::Hasher::new();
    total.update(prefix);
    let mut run = crc32fast::Hasher::new();
    run.update(&[0]);
    let mut remaining = zeros;
    // `run` covers 2^k zeros at step k.
    while remaining > 0 {
        if remaining & 1 == 1 {
            total.combine(&run);
        }
        let copy = run.clone();
        run.combine(&copy);
        remaining >>= 1;
    }
    total.finalize()
}

/// A deflated entry `name` of `size` bytes starting with the dex magic, then zeros.
pub fn dex_bomb_entry(name: &str, size: u64) -> ZipEntry {
    ZipEntry::precompressed(name, deflate_zeros(DEX_MAGIC_035, size))
}

/// An APK holding `archives` nested zips `assets/bombN.zip`, each with one deflated
/// `classes.dex` bomb of `dex_size` bytes.
pub fn nested_dex_bombs(archives: usize, dex_size: u64) -> Vec<u8> {
    let inner = ZipBuilder::new()
        .entry(dex_bomb_entry("classes.dex", dex_size))
        .build();
    apk((0..archives)
        .map(|i| ZipEntry::stored(format!("assets/bomb{i}.zip"), &inner))
        .collect())
}

/// An APK whose central directory has `records` records `classesN.dex` (N = 2, 3, …) that all
/// point at one local header holding a deflated dex bomb of `size` bytes: the file stays the
/// size of one bomb, its directory promises `records` of them.
pub fn shared_local_header_bombs(records: usize, size: u64) -> Vec<u8> {
    let bomb = deflate_zeros(DEX_MAGIC_035, size);
    let manifest = manifest("com.example.hostile");
    // The manifest's local header and data come first; the bomb's local header follows.
    let probe = ZipBuilder::new()
        .deflated("AndroidManifest.xml", &manifest)
        .build();
    // An archive with one entry is its local part, one central record (46 + name) and the
    // end record (22).
    let name_len = "AndroidManifest.xml".len();
    let bomb_at = (probe.len() - 22 - 46 - name_len) as u64;
    let mut zip = ZipBuilder::new().deflated("AndroidManifest.xml", &manifest);
    for i in 0..records {
        let mut entry = ZipEntry::precompressed(format!("classes{}.dex", i + 2), bomb.clone());
        if i > 0 {
            entry = entry
                .omit_local()
                .central(|c| c.local_header_offset = Some(bomb_at));
        }
        zip = zip.entry(entry);
    }
    zip.build()
}

/// A binary manifest with `elements` `<uses-permission android:name="android.permission.INTERNET"/>`
/// elements: 80 bytes of binary XML each, so a manifest of hundreds of MB that deflates to a
/// fraction of that. What decoding it costs must be charged before it is decoded.
pub fn huge_manifest(elements: usize) -> Vec<u8> {
    let one = AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![Attr::plain(
                "package",
                AttrValue::str("com.example.hostile"),
            )],
        )
        .start(
            "uses-permission",
            vec![Attr::android(
                "name",
                NAME_ATTR,
                AttrValue::str("android.permission.INTERNET"),
            )],
        )
        .end("uses-permission")
        .end("manifest")
        .end_ns("android", ANDROID_NS)
        .build();
    // Chunks after the 8-byte file header: find the second start element (the permission) and
    // the end element that follows it.
    let mut at = 8usize;
    let mut starts = 0;
    let mut element = None;
    let field = |at: usize, len: usize| -> usize {
        one.get(at..at + len).map_or(0, |b| {
            b.iter()
                .rev()
                .fold(0, |acc, &x| (acc << 8) | usize::from(x))
        })
    };
    while at + 8 <= one.len() {
        let (kind, size) = (field(at, 2), field(at + 4, 4));
        if kind == 0x0102 {
            starts += 1;
            if starts == 2 {
                element = Some(at);
            }
        }
        if let (0x0103, Some(start)) = (kind, element) {
            let end = at + size;
            let (Some(head), Some(copy), Some(tail)) =
                (one.get(..end), one.get(start..end), one.get(end..))
            else {
                break;
            };
            let mut out = Vec::with_capacity(one.len() + elements.saturating_sub(1) * copy.len());
            out.extend_from_slice(head);
            for _ in 1..elements {
                out.extend_from_slice(copy);
            }
            out.extend_from_slice(tail);
            let total = u32::try_from(out.len()).unwrap_or(u32::MAX);
            if let Some(slot) = out.get_mut(4..8) {
                slot.copy_from_slice(&total.to_le_bytes());
            }
            return out;
        }
        if size == 0 {
            break;
        }
        at += size;
    }
    one
}

/// `android:name`'s resource id.
const NAME_ATTR: u32 = 0x0101_0003;

/// An APK with `count` empty native libraries `lib/arm64-v8a/libN.so`.
pub fn many_native_libs(count: usize) -> Vec<u8> {
    apk((0..count)
        .map(|i| ZipEntry::stored(format!("lib/arm64-v8a/lib{i}.so"), b""))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    fn inflate(stream: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(stream)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn zero_bombs_inflate_to_what_they_declare() {
        for (prefix, total) in [
            (&b""[..], 0u64),
            (b"", 1),
            (b"", 258),
            (b"", 1000),
            (b"dex\n035\0", 8),
            (b"dex\n035\0", 70_000),
            (b"\xff\x90abc", 517),
        ] {
            let bomb = deflate_zeros(prefix, total);
            let data = inflate(&bomb.stream);
            assert_eq!(
                data.len() as u64,
                bomb.uncompressed_size,
                "{prefix:?} {total}"
            );
            assert_eq!(&data[..prefix.len()], prefix);
            assert!(data[prefix.len()..].iter().all(|&b| b == 0));
            assert_eq!(crc32fast::hash(&data), bomb.crc32, "{prefix:?} {total}");
        }
        // 13 bits per 258 bytes.
        let big = deflate_zeros(b"", 1 << 30);
        assert!(big.stream.len() < 7 << 20, "{}", big.stream.len());
    }

    #[test]
    fn hostile_dex_files_have_the_declared_shape() {
        let dex = shared_type_list_dex(3, 2, 5);
        assert_eq!(&dex[..8], DEX_MAGIC_035);
        assert_eq!(
            u32::from_le_bytes(dex[0x20..0x24].try_into().unwrap()) as usize,
            dex.len()
        );
        let dex = overlapping_type_lists_dex(4, 6);
        assert_eq!(
            u32::from_le_bytes(dex[0x48..0x4c].try_into().unwrap()),
            4,
            "proto count"
        );
    }
}
