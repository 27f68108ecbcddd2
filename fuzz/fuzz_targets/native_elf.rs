//! Fuzz target: read the facts of one ELF file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = apkscope_native::parse(data);
});
