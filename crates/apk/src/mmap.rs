//! The crate's only I/O: mapping an APK file into memory.

use std::fs::File;
use std::io::{self, Read as _};
use std::ops::Deref;
use std::path::Path;

/// The bytes of a file: memory-mapped, or read into memory when mapping
/// is not possible (empty files, special files, mmap failure).
#[derive(Debug)]
pub struct MappedFile {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl MappedFile {
    /// Whether the bytes are memory-mapped (rather than read).
    pub fn is_mapped(&self) -> bool {
        matches!(self.inner, Inner::Mapped(_))
    }
}

impl Deref for MappedFile {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.inner {
            Inner::Mapped(m) => m,
            Inner::Owned(v) => v,
        }
    }
}

impl AsRef<[u8]> for MappedFile {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

/// Maps the file at `path` read-only, or reads it into memory when it is
/// empty or cannot be mapped.
///
/// # Safety
///
/// This function is safe to call, but a memory map is only sound while no
/// one truncates or rewrites the file: if another process shrinks it,
/// touching the lost pages raises `SIGBUS`; if it rewrites it, the bytes
/// may change under the parser (which then sees inconsistent but still
/// bounds-checked data). apkscope maps input files it does not own only for
/// reading and expects callers not to modify scanned files during a scan;
/// callers that cannot promise this should read the file with
/// [`std::fs::read`] instead.
#[allow(unsafe_code)]
pub fn map_file(path: &Path) -> io::Result<MappedFile> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len > 0 {
        // SAFETY: the map is read-only and private to this process; the
        // documented contract of `map_file` is that the file is not
        // truncated or modified while the map lives (see `# Safety`).
        // Parsers only read it through bounds-checked slices.
        if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
            return Ok(MappedFile {
                inner: Inner::Mapped(map),
            });
        }
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(MappedFile {
        inner: Inner::Owned(bytes),
    })
}
