//! Parses dex files and walks every instruction; prints counts and timings.
//!
//! `cargo run --release -p apkscope-dex --example walk -- FILE.dex [--no-verify]`
#![allow(clippy::print_stdout, clippy::print_stderr)] // a command-line tool

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verify = !args.iter().any(|a| a == "--no-verify");
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let data = match std::fs::read(path) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let t0 = Instant::now();
        let options = apkscope_dex::ParseOptions::default().verify_checksums(verify);
        let dex = match apkscope_dex::parse_with(&data, options) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let t_parse = t0.elapsed();
        let (mut classes, mut methods, mut insns, mut refs, mut anomalies) =
            (0u64, 0u64, 0u64, 0u64, 0u64);
        for class in dex.classes() {
            classes += 1;
            anomalies += class.anomalies.len() as u64;
            for m in class.methods() {
                methods += 1;
                let Some(code) = dex.code(m) else { continue };
                let mut it = code.instructions();
                for insn in it.by_ref() {
                    insns += 1;
                    if insn.reference().is_some() {
                        refs += 1;
                    }
                }
                anomalies += it.anomalies(&code).len() as u64;
            }
        }
        let t_all = t0.elapsed();
        println!(
            "{path}: {} bytes, v{:03}, {classes} classes, {methods} methods, {insns} insns, {refs} refs, \
             {} file anomalies, {anomalies} class/method anomalies; parse {:.2} ms, total {:.2} ms",
            data.len(),
            dex.version(),
            dex.anomalies().len(),
            t_parse.as_secs_f64() * 1e3,
            t_all.as_secs_f64() * 1e3
        );
        for a in dex.anomalies() {
            println!("  {a}");
        }
    }
}
