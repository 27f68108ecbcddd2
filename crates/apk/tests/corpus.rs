//! Never-panic and census over the real corpus in ../shared/corpus.
#![allow(clippy::print_stdout, clippy::print_stderr)] // the census is the test's output

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use apkscope_apk::Options;

fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    dir.join("MANIFEST.tsv").is_file().then_some(dir)
}

fn corpus_apks(dir: &Path) -> Vec<PathBuf> {
    let Ok(manifest) = std::fs::read_to_string(dir.join("MANIFEST.tsv")) else {
        return Vec::new();
    };
    manifest
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let path = cols.next()?;
            (cols.next()? == "apk").then(|| dir.join(path))
        })
        .collect()
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
        usize::try_from(self.next() % n).unwrap_or(0)
    }
}

#[test]
fn every_corpus_apk_opens_or_fails_typed() {
    let Some(dir) = corpus_dir() else {
        crate::skip::skip("../shared/corpus/MANIFEST.tsv not found");
        return;
    };
    let opts = Options {
        max_entry_size: 256 << 20,
        max_total_inflated: 1 << 30,
        ..Options::default()
    };
    let mut ok = 0;
    let mut failed = Vec::new();
    let mut census: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut read_errors = 0;
    let apks = corpus_apks(&dir);
    // APKSCOPE_CENSUS_VERBOSE=1 lists every anomaly of every file.
    let verbose = std::env::var_os("APKSCOPE_CENSUS_VERBOSE").is_some();
    for path in &apks {
        let data = std::fs::read(path).unwrap();
        if verbose && let Ok(apk) = apkscope_apk::Apk::parse_with(&data, opts) {
            for a in apk.anomalies() {
                println!("{}: {a}", path.strip_prefix(&dir).unwrap().display());
            }
        }
        match crate::exercise(&data, opts) {
            Ok((codes, errs)) => {
                ok += 1;
                read_errors += errs;
                let mut seen: Vec<&str> = Vec::new();
                for c in codes {
                    let slot = census.entry(c).or_default();
                    slot.0 += 1;
                    if !seen.contains(&c) {
                        seen.push(c);
                        slot.1 += 1;
                    }
                }
            }
            Err(e) => failed.push((path.strip_prefix(&dir).unwrap().display().to_string(), e)),
        }
    }
    println!(
        "corpus: {ok} of {} APKs open; {read_errors} entry reads failed",
        apks.len()
    );
    for (path, err) in &failed {
        println!("  does not open: {path}: {err}");
    }
    println!("anomalies (code: count, APKs):");
    for (code, (n, files)) in &census {
        println!("  {code}: {n} in {files} APKs");
    }
    assert!(ok > 0);
}

#[test]
fn truncated_and_mutated_corpus_apks_never_panic() {
    let Some(dir) = corpus_dir() else {
        crate::skip::skip("../shared/corpus/MANIFEST.tsv not found");
        return;
    };
    // A few small APKs of different makers; mutations are cheap on them.
    let mut apks: Vec<(u64, PathBuf)> = corpus_apks(&dir)
        .into_iter()
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.len(), p)))
        .filter(|(len, _)| (2_000..120_000).contains(len))
        .collect();
    apks.sort();
    let step = (apks.len() / 6).max(1);
    let picked: Vec<_> = apks.iter().step_by(step).take(6).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut runs = 0;
    for (_, path) in picked {
        let data = std::fs::read(path).unwrap();
        let len = data.len();
        // Truncations: spread over the file, dense near the end records.
        let mut cuts: Vec<usize> = (0..60).map(|i| len * i / 60).collect();
        cuts.extend((1..200).map(|i| len.saturating_sub(i)));
        for cut in cuts {
            let _ = crate::exercise(&data[..cut], crate::SMALL);
            runs += 1;
        }
        // Byte flips, mostly in the central directory and end records.
        for _ in 0..150 {
            let mut m = data.clone();
            for _ in 0..=rng.below(6) {
                let at = if rng.below(4) == 0 {
                    rng.below(len)
                } else {
                    len - 1 - rng.below(len.min(4096))
                };
                m[at] ^= 1 << rng.below(8);
            }
            let _ = crate::exercise(&m, crate::SMALL);
            runs += 1;
        }
    }
    println!("{runs} truncated or mutated inputs handled");
}
