//! `inflate-bench APK --backend B [--threads N] [--repeat R] [--check]`
//!
//! Inflates every deflated entry of APK with one backend, on N threads (default: the number of
//! cores, as `apkscope scan` does), R times, and prints one summary line to standard error. Time
//! the whole process (hyperfine, GNU time) to compare backends; `--backend none` is the floor
//! (reading the file, opening the archive, slicing the raw entries) that every backend pays.
//!
//! Backends:
//! - `apk`: `apkscope_apk::Apk::read`, the project's own read path (capped streaming inflation
//!   through flate2, with the backend that the workspace's Cargo.toml selects);
//! - `miniz_oxide`, `zlib-rs`, `libdeflate`: the backend called directly, one shot, into a
//!   buffer of the entry's declared size.
//!
//! `--check` verifies every entry's size and CRC-32 against the central directory and exits 1 on
//! a mismatch (not to be timed: the CRC costs about as much as a fast inflater).

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use apkscope_apk::{Apk, Entry};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    None,
    Apk,
    Miniz,
    ZlibRs,
    #[cfg(feature = "libdeflate")]
    Libdeflate,
}

impl Backend {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "none" => Self::None,
            "apk" => Self::Apk,
            "miniz_oxide" => Self::Miniz,
            "zlib-rs" => Self::ZlibRs,
            #[cfg(feature = "libdeflate")]
            "libdeflate" => Self::Libdeflate,
            _ => return None,
        })
    }
}

/// Names of the backends this build has, for `--list`.
const BACKENDS: &[&str] = &[
    "none",
    "apk",
    "miniz_oxide",
    "zlib-rs",
    #[cfg(feature = "libdeflate")]
    "libdeflate",
];

fn usage() -> ExitCode {
    eprintln!(
        "usage: inflate-bench APK --backend {{{}}} [--threads N] [--repeat R] [--check]\n       inflate-bench --list",
        BACKENDS.join("|")
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut path, mut backend, mut threads, mut repeat, mut check) = (None, None, None, 1, false);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--list" => {
                println!("{}", BACKENDS.join("\n"));
                return ExitCode::SUCCESS;
            }
            "--backend" => match args.next().as_deref().and_then(Backend::parse) {
                Some(b) => backend = Some(b),
                None => return usage(),
            },
            "--threads" => match args.next().and_then(|n| n.parse::<usize>().ok()) {
                Some(n) if n > 0 => threads = Some(n),
                _ => return usage(),
            },
            "--repeat" => match args.next().and_then(|n| n.parse::<usize>().ok()) {
                Some(n) if n > 0 => repeat = n,
                _ => return usage(),
            },
            "--check" => check = true,
            _ if path.is_none() && !arg.starts_with('-') => path = Some(arg),
            _ => return usage(),
        }
    }
    let (Some(path), Some(backend)) = (path, backend) else {
        return usage();
    };
    let threads =
        threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));

    let data = match apkscope_apk::read_file(std::path::Path::new(&path), u64::MAX) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("inflate-bench: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let apk = match Apk::parse(&data) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("inflate-bench: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Largest first, so that the last entries handed out are small and the threads finish together.
    let mut entries: Vec<&Entry> = apk.entries().iter().filter(|e| e.is_deflated()).collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.uncompressed_size));

    let start = Instant::now();
    let (mut out_bytes, mut bad) = (0u64, 0usize);
    for _ in 0..repeat {
        let next = AtomicUsize::new(0);
        let results: Vec<(u64, usize)> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| s.spawn(|| worker(&apk, &entries, &next, backend, check)))
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or((0, 1)))
                .collect()
        });
        for (o, b) in results {
            out_bytes += o;
            bad += b;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "inflate-bench: {} entries x {repeat}, {out_bytes} bytes out, {threads} threads, {secs:.3} s in the loop{}",
        entries.len(),
        if check {
            format!(", {bad} failed the size/CRC check")
        } else {
            String::new()
        }
    );
    if bad > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Takes entries off the shared list until it is empty; returns (bytes out, entries that failed).
fn worker(
    apk: &Apk<'_>,
    entries: &[&Entry],
    next: &AtomicUsize,
    backend: Backend,
    check: bool,
) -> (u64, usize) {
    let (mut out_bytes, mut bad) = (0u64, 0usize);
    #[cfg(feature = "libdeflate")]
    let mut libdeflate = libdeflater::Decompressor::new();
    while let Some(entry) = entries.get(next.fetch_add(1, Ordering::Relaxed)) {
        let Ok(raw) = apk.raw(entry) else {
            bad += 1;
            continue;
        };
        let size = usize::try_from(entry.uncompressed_size).unwrap_or(usize::MAX);
        let out: Option<Vec<u8>> = match backend {
            Backend::None => {
                // The floor: touch the raw bytes so that the read is not optimized away.
                out_bytes += u64::from(raw.first().copied().unwrap_or(0) == 0xff);
                continue;
            }
            Backend::Apk => apk.read(entry).ok().map(|d| d.to_vec_if(check)),
            Backend::Miniz => {
                let mut out = vec![0u8; size];
                let mut state = miniz_oxide::inflate::stream::InflateState::new_boxed(
                    miniz_oxide::DataFormat::Raw,
                );
                let r = miniz_oxide::inflate::stream::inflate(
                    &mut state,
                    raw,
                    &mut out,
                    miniz_oxide::MZFlush::Finish,
                );
                (r.status == Ok(miniz_oxide::MZStatus::StreamEnd)).then(|| {
                    out.truncate(r.bytes_written);
                    out
                })
            }
            Backend::ZlibRs => {
                let mut out = vec![0u8; size];
                let mut inflater = zlib_rs::Inflate::new(false, 15);
                let status = inflater.decompress(raw, &mut out, zlib_rs::InflateFlush::Finish);
                (status == Ok(zlib_rs::Status::StreamEnd)).then(|| {
                    out.truncate(usize::try_from(inflater.total_out()).unwrap_or(0));
                    out
                })
            }
            #[cfg(feature = "libdeflate")]
            Backend::Libdeflate => {
                let mut out = vec![0u8; size];
                libdeflate.deflate_decompress(raw, &mut out).ok().map(|n| {
                    out.truncate(n);
                    out
                })
            }
        };
        let Some(bytes) = out else {
            eprintln!("inflate-bench: {}: inflation failed", entry.name);
            bad += 1;
            continue;
        };
        out_bytes += entry.uncompressed_size;
        if check
            && (bytes.len() as u64 != entry.uncompressed_size
                || crc32fast::hash(&bytes) != entry.crc32)
        {
            eprintln!(
                "inflate-bench: {}: size or CRC-32 differs from the central directory",
                entry.name
            );
            bad += 1;
        }
    }
    (out_bytes, bad)
}

/// `Apk::read` hands back `EntryData`; keep its bytes only when they are to be checked, so the
/// timed runs pay for inflation alone, as the other backends do.
trait ToVecIf {
    fn to_vec_if(self, keep: bool) -> Vec<u8>;
}

impl ToVecIf for apkscope_apk::EntryData<'_> {
    fn to_vec_if(self, keep: bool) -> Vec<u8> {
        if keep { self.to_vec() } else { Vec::new() }
    }
}
